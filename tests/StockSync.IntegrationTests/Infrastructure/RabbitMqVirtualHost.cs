using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using RabbitMQ.Client;

namespace StockSync.IntegrationTests.Infrastructure;

/// <summary>
/// A RabbitMQ virtual host of its own for one test, created through the management API and deleted afterwards,
/// so tests run in parallel without seeing each other's exchanges and queues.
/// </summary>
public sealed class RabbitMqVirtualHost : IAsyncDisposable
{
    private readonly HttpClient _management;

    private RabbitMqVirtualHost(HttpClient management, string name)
    {
        _management = management;
        Name = name;
    }

    public string Name { get; }

    public string Description => $"RabbitMQ {ServerVersion} at {TestEnvironment.RabbitHost}:{TestEnvironment.RabbitPort}, vhost {Name}";

    public string ServerVersion { get; private set; } = "?";

    public static async Task<RabbitMqVirtualHost> CreateAsync()
    {
        var management = new HttpClient { BaseAddress = TestEnvironment.RabbitManagementUrl, Timeout = TimeSpan.FromSeconds(30) };
        management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{TestEnvironment.RabbitUser}:{TestEnvironment.RabbitPassword}")));
        var name = $"stocksync-it-{Guid.NewGuid():N}";
        var vhost = new RabbitMqVirtualHost(management, name);
        (await management.PutAsync($"api/vhosts/{name}", null)).EnsureSuccessStatusCode();
        (await management.PutAsJsonAsync($"api/permissions/{name}/{Uri.EscapeDataString(TestEnvironment.RabbitUser)}", new { configure = ".*", write = ".*", read = ".*" }))
            .EnsureSuccessStatusCode();
        var overview = await management.GetFromJsonAsync<Overview>("api/overview");
        vhost.ServerVersion = overview?.rabbitmq_version ?? "?";
        return vhost;
    }

    /// <summary>Opens a plain AMQP connection to this vhost, to read queues the way an operator would.</summary>
    public Task<IConnection> ConnectAsync() => new ConnectionFactory
    {
        HostName = TestEnvironment.RabbitHost,
        Port = TestEnvironment.RabbitPort,
        UserName = TestEnvironment.RabbitUser,
        Password = TestEnvironment.RabbitPassword,
        VirtualHost = Name,
    }.CreateConnectionAsync();

    /// <summary>Polls a queue on the broker until a message arrives or the timeout passes; the message is taken off the queue.</summary>
    public async Task<BasicGetResult?> GetMessageAsync(string queue, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        IConnection? connection = null;
        try
        {
            while (DateTime.UtcNow < deadline)
            {
                // A fresh channel each time: reading a queue that does not exist yet closes the channel (MassTransit
                // declares an error queue only with the first fault), and reading a quorum queue whose process is
                // still starting ("noproc") closes the whole connection.
                if (connection is not { IsOpen: true })
                {
                    if (connection is not null)
                    {
                        await connection.DisposeAsync();
                    }

                    connection = await ConnectAsync();
                }

                try
                {
                    await using var channel = await connection.CreateChannelAsync();
                    if (await channel.BasicGetAsync(queue, autoAck: true) is { } result)
                    {
                        return result;
                    }
                }
                catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
                {
                    // Includes AlreadyClosedException: the connection is replaced on the next round.
                }

                await Task.Delay(100);
            }

            return null;
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _management.DeleteAsync($"api/vhosts/{Name}");
        }
        finally
        {
            _management.Dispose();
        }
    }

#pragma warning disable IDE1006, CA1812 // Shape of the management API's JSON.
    private sealed record Overview(string? rabbitmq_version);
#pragma warning restore IDE1006, CA1812
}
