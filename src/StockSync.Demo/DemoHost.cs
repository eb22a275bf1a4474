using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace StockSync.Demo;

/// <summary>
/// The real StockSync host as a child process (<c>dotnet StockSync.Host.dll</c> from the demo's own output, where the
/// project reference puts it), configured through environment variables (<c>Section__Key</c>), listening on
/// <see cref="Address"/>. Its whole output goes to <see cref="LogPath"/>. Disposing kills it (with its process tree).
/// </summary>
internal sealed class DemoHost : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Lock _logGate = new();

    private DemoHost(Process process, Uri address, string logPath, StreamWriter log)
    {
        _process = process;
        Address = address;
        LogPath = logPath;
        _log = log;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>Where the host listens.</summary>
    public Uri Address { get; }

    /// <summary>The file holding the host's stdout and stderr.</summary>
    public string LogPath { get; }

    /// <summary>A client for the host's HTTP API (base address set).</summary>
    public HttpClient Client { get; }

    /// <summary>True once the process has ended.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>
    /// Starts the host on <paramref name="address"/> with <paramref name="settings"/> as environment variables, in the
    /// Production environment (no seeded catalogue), and waits until <c>GET /health/ready</c> answers 200.
    /// </summary>
    public static async Task<DemoHost> StartAsync(Uri address, IReadOnlyDictionary<string, string> settings, string logPath, CancellationToken ct)
    {
        var hostDll = HostAssemblyPath();
        var start = new ProcessStartInfo(DotnetPath())
        {
            WorkingDirectory = Path.GetDirectoryName(hostDll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(hostDll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(address.ToString().TrimEnd('/'));
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }

        var log = new StreamWriter(logPath) { AutoFlush = true };
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var host = new DemoHost(process, address, logPath, log);
        process.OutputDataReceived += (_, e) => host.Write(e.Data);
        process.ErrorDataReceived += (_, e) => host.Write(e.Data);
        if (!process.Start())
        {
            await host.DisposeAsync();
            throw new DemoException($"Could not start the host: {start.FileName} {string.Join(' ', start.ArgumentList)}");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await host.WaitUntilReadyAsync(ct);
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }

        return host;
    }

    /// <summary>A free loopback port (for the host's address, chosen before the simulators are told it).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>Kills the host (and its process tree) if it still runs.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(TimeSpan.FromSeconds(15));
            }
        }
        catch (InvalidOperationException)
        {
            // Never started, or already gone.
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Kill();
        Client.Dispose();
        _process.Dispose();
        lock (_logGate)
        {
            _log.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    private void Write(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_logGate)
        {
            try
            {
                _log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
                // The last lines of a killed host.
            }
        }
    }

    private async Task WaitUntilReadyAsync(CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        using var probe = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(5) };
        var last = "no answer yet";
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new DemoException($"The host exited with code {_process.ExitCode} before it was ready; see its log {LogPath}.");
            }

            try
            {
                using var response = await probe.GetAsync(new Uri("/health/ready", UriKind.Relative), ct);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }

                last = $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}";
            }
            catch (Exception ex) when (ex is HttpRequestException || (ex is TaskCanceledException && !ct.IsCancellationRequested))
            {
                last = ex.Message;
            }

            await Task.Delay(250, ct);
        }

        throw new DemoException($"The host was not ready within {StartTimeout.TotalSeconds:0} s (last /health/ready: {last}); see its log {LogPath}.");
    }

    /// <summary>
    /// <c>StockSync.Host.dll</c> next to the demo's assembly (the project reference copies it with its runtimeconfig and
    /// deps files); else, when the demo's scenario runs inside another build output (the integration tests), the
    /// host's own build output in the same configuration.
    /// </summary>
    private static string HostAssemblyPath()
    {
        var output = AppContext.BaseDirectory;
        var beside = Path.Combine(output, "StockSync.Host.dll");
        if (File.Exists(beside) && File.Exists(Path.Combine(output, "StockSync.Host.runtimeconfig.json")))
        {
            return beside;
        }

        var directory = new DirectoryInfo(output.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
        var framework = directory.Name;
        var configuration = directory.Parent?.Name ?? "Debug";
        for (var root = directory; root is not null; root = root.Parent)
        {
            var dll = Path.Combine(root.FullName, "src", "StockSync.Host", "bin", configuration, framework, "StockSync.Host.dll");
            if (File.Exists(Path.Combine(root.FullName, "StockSync.sln")) && File.Exists(dll))
            {
                return dll;
            }
        }

        throw new DemoException($"StockSync.Host.dll (with its runtimeconfig) is not in {output}: build the demo project first.");
    }

    private static string DotnetPath()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && File.Exists(hostPath))
        {
            return hostPath;
        }

        var current = Environment.ProcessPath;
        return current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
    }
}

/// <summary>A step of the demo that did not go as scripted; the message says what and where to look.</summary>
internal sealed class DemoException : Exception
{
    public DemoException()
    {
    }

    public DemoException(string message)
        : base(message)
    {
    }

    public DemoException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
