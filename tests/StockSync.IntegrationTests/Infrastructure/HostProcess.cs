using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace StockSync.IntegrationTests.Infrastructure;

/// <summary>
/// The real StockSync host as a separate OS process (<c>dotnet StockSync.Host.dll</c> from the host's own build
/// output), configured through environment variables for a test's database and RabbitMQ vhost. Unlike
/// <see cref="StockSyncHost"/> it can be killed hard, as a crash or an OOM kill would end it: no graceful shutdown,
/// no lease released, no message acknowledged. The database and the vhost belong to the test, so another
/// <see cref="HostProcess"/> can be started on them after a kill, as a restarted replica would be.
/// The last lines of the process's stdout and stderr are kept for failure messages; with
/// <c>STOCKSYNC_TEST_HOST_LOG_DIR</c> set, its whole output is also written to <c>host-&lt;name&gt;-&lt;pid&gt;.log</c> there.
/// </summary>
public sealed class HostProcess : IAsyncDisposable
{
    private const int KeptLines = 150;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly object _logGate = new();
    private StreamWriter? _log;

    private HostProcess(string name, Process process, Uri address)
    {
        Name = name;
        _process = process;
        Address = address;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>The name the test gave this process (for example "A" or "B"), used in its output.</summary>
    public string Name { get; }

    /// <summary>Where the host listens (a free loopback port).</summary>
    public Uri Address { get; }

    /// <summary>A client for the host's HTTP API.</summary>
    public HttpClient Client { get; }

    /// <summary>The operating system's id of the process.</summary>
    public int ProcessId => _process.Id;

    /// <summary>True once the process has ended (killed, or failed on its own).</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>
    /// Starts <c>dotnet StockSync.Host.dll</c> on <paramref name="database"/> and <paramref name="vhost"/>, with
    /// <paramref name="settings"/> as extra environment variables (configuration keys with <c>__</c>, for example
    /// <c>Outbox__DispatcherEnabled</c>), and waits until <c>GET /health/ready</c> answers 200: the database
    /// answers and the bus is connected with its receive endpoints running.
    /// </summary>
    public static async Task<HostProcess> StartAsync(
        string name, TestDatabase database, RabbitMqVirtualHost vhost, IReadOnlyDictionary<string, string>? settings = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(vhost);
        var hostDll = HostAssemblyPath();
        var address = new Uri($"http://127.0.0.1:{FreePort()}");
        var start = new ProcessStartInfo(DotnetPath())
        {
            WorkingDirectory = Path.GetDirectoryName(hostDll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(hostDll);

        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            // As a container deployment sets it; the host's own default applies only when nothing is configured.
            ["ASPNETCORE_URLS"] = address.ToString().TrimEnd('/'),
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["Security__Mode"] = "Development",
            ["Database__Provider"] = database.Provider.ToString(),
            ["Database__ConnectionString"] = database.ConnectionString,
            ["Transport__Kind"] = "RabbitMq",
            ["Transport__RabbitMq__Host"] = TestEnvironment.RabbitHost,
            ["Transport__RabbitMq__Port"] = TestEnvironment.RabbitPort.ToString(CultureInfo.InvariantCulture),
            ["Transport__RabbitMq__VirtualHost"] = vhost.Name,
            ["Transport__RabbitMq__Username"] = TestEnvironment.RabbitUser,
            ["Transport__RabbitMq__Password"] = TestEnvironment.RabbitPassword,
            ["Ledger__BatchTimeLimit"] = "00:00:00.010",
            // The tests read the error queues themselves.
            ["Operations__DeadLetters__Enabled"] = "false",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var host = new HostProcess(name, process, address);
        process.OutputDataReceived += (_, e) => host.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => host.Keep(e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException($"Could not start host {name}: {start.FileName} {string.Join(' ', start.ArgumentList)}");
        }

        if (Environment.GetEnvironmentVariable("STOCKSYNC_TEST_HOST_LOG_DIR") is { Length: > 0 } logDirectory)
        {
            // For diagnosis: the whole output of every host process, not only its last lines.
            Directory.CreateDirectory(logDirectory);
            host._log = new StreamWriter(Path.Combine(logDirectory, $"host-{name}-{process.Id}.log")) { AutoFlush = true };
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await host.WaitUntilReadyAsync();
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }

        return host;
    }

    /// <summary>Kills the process hard (SIGKILL on Linux: no shutdown hooks, no flush, no acknowledgements) and waits until it is gone.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        if (!_process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            throw new InvalidOperationException($"Host {Name} (pid {_process.Id}) did not die within 30 s of SIGKILL.");
        }
    }

    /// <summary>The last lines the process wrote to stdout and stderr, for failure messages.</summary>
    public string RecentOutput(int lines = 40)
    {
        var all = _lines.ToArray();
        return string.Join(Environment.NewLine, all.Skip(Math.Max(0, all.Length - lines)));
    }

    /// <summary>Names the process for the test output.</summary>
    public override string ToString() => $"host {Name} (pid {_process.Id}, {Address})";

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                Kill();
            }
            else
            {
                await _process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
            // Never started.
        }
        finally
        {
            Client.Dispose();
            _process.Dispose();
            lock (_logGate)
            {
                _log?.Dispose();
                _log = null;
            }
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _lines.Enqueue(line);
        lock (_logGate)
        {
            _log?.WriteLine(line);
        }

        while (_lines.Count > KeptLines && _lines.TryDequeue(out _))
        {
        }
    }

    private async Task WaitUntilReadyAsync()
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        using var probe = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(5) };
        var last = "no answer yet";
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException(
                    $"Host {Name} exited with code {_process.ExitCode} before it was ready. Its last output:{Environment.NewLine}{RecentOutput()}");
            }

            try
            {
                using var response = await probe.GetAsync(new Uri("/health/ready", UriKind.Relative));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }

                last = $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}";
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                last = ex.Message;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException(
            $"Host {Name} was not ready within {StartTimeout.TotalSeconds:0} s (last /health/ready: {last}). Its last output:{Environment.NewLine}{RecentOutput()}");
    }

    /// <summary>
    /// <c>src/StockSync.Host/bin/&lt;Configuration&gt;/&lt;TFM&gt;/StockSync.Host.dll</c> of this repository, in the
    /// configuration and target framework this test assembly was built with (the test project references the host,
    /// so building the tests builds it there too).
    /// </summary>
    public static string HostAssemblyPath()
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
        var framework = output.Name;
        var configuration = output.Parent?.Name
            ?? throw new InvalidOperationException($"Cannot tell the build configuration from {AppContext.BaseDirectory}.");
        var root = output;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "StockSync.sln")))
        {
            root = root.Parent;
        }

        if (root is null)
        {
            throw new InvalidOperationException($"No StockSync.sln above {AppContext.BaseDirectory}.");
        }

        var dll = Path.Combine(root.FullName, "src", "StockSync.Host", "bin", configuration, framework, "StockSync.Host.dll");
        return File.Exists(dll)
            ? dll
            : throw new FileNotFoundException($"The host is not built at {dll}: run `dotnet build StockSync.sln -c {configuration}` first.", dll);
    }

    /// <summary>The dotnet executable running these tests, or the one on PATH.</summary>
    private static string DotnetPath()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && File.Exists(hostPath))
        {
            return hostPath;
        }

        var current = Environment.ProcessPath;
        return current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
