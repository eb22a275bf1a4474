using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace StockSync.IntegrationTests.Infrastructure;

/// <summary>
/// Debian's Chromium (<c>/usr/bin/chromium</c>, installed by <c>deploy/test-infra.sh</c>), headless, driven over the
/// DevTools protocol with nothing but <see cref="ClientWebSocket"/>: start it with a fresh profile and
/// <c>--remote-debugging-port=0</c>, read the port it chose from <c>DevToolsActivePort</c>, attach to its page and send
/// commands. Background networking (updates, sync, field trials) is off: the browser talks only to the pages it is sent
/// to. Disposing kills it and deletes its profile, also after a failure.
/// </summary>
public sealed class HeadlessChromium : IAsyncDisposable
{
    public const string DefaultPath = "/usr/bin/chromium";

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly string _profile;
    private readonly ClientWebSocket _socket = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonObject>> _pending = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly StringBuilder _stderr = new();
    private Task _receiving = Task.CompletedTask;
    private int _nextId;

    private HeadlessChromium(Process process, string profile)
    {
        _process = process;
        _profile = profile;
    }

    /// <summary>Starts Chromium on about:blank and attaches to its page.</summary>
    public static async Task<HeadlessChromium> StartAsync()
    {
        var path = Environment.GetEnvironmentVariable("STOCKSYNC_TEST_CHROMIUM") is { Length: > 0 } configured ? configured : DefaultPath;
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{path} does not exist. The dashboard test needs Debian's chromium: run the tests with deploy/test.sh (it installs it), or apt-get install chromium.");
        }

        var profile = Directory.CreateTempSubdirectory("stocksync-chromium-").FullName;
        var start = new ProcessStartInfo(path)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-default-apps", "--disable-extensions", "--mute-audio",
            "--hide-scrollbars", $"--user-data-dir={profile}", "--remote-debugging-port=0", "about:blank",
        })
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{path} did not start.");
        }
        catch
        {
            Directory.Delete(profile, recursive: true);
            throw;
        }

        var browser = new HeadlessChromium(process, profile);
        try
        {
            process.ErrorDataReceived += (_, e) =>
            {
                lock (browser._stderr)
                {
                    browser._stderr.AppendLine(e.Data);
                }
            };
            process.OutputDataReceived += (_, _) => { };
            process.BeginErrorReadLine();
            process.BeginOutputReadLine();
            await browser.AttachAsync();
            return browser;
        }
        catch
        {
            await browser.DisposeAsync();
            throw;
        }
    }

    /// <summary>What Chromium wrote to stderr, for a failure message.</summary>
    public string Diagnostics
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Sends a DevTools command and returns its result; a protocol error throws.</summary>
    public async Task<JsonObject> SendAsync(string method, object? parameters = null)
    {
        var id = Interlocked.Increment(ref _nextId);
        var answer = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer;
        var command = JsonSerializer.SerializeToUtf8Bytes(new { id, method, @params = parameters ?? new { } });
        await _socket.SendAsync(command, WebSocketMessageType.Text, endOfMessage: true, _stop.Token);
        var reply = await answer.Task.WaitAsync(Patience);
        if (reply["error"] is { } error)
        {
            throw new InvalidOperationException($"{method} failed: {error.ToJsonString()}");
        }

        return reply["result"]?.AsObject() ?? [];
    }

    /// <summary>Sets the viewport (CSS pixels, scale 1) the page lays out and is captured in.</summary>
    public Task SetViewportAsync(int width, int height) =>
        SendAsync("Emulation.setDeviceMetricsOverride", new { width, height, deviceScaleFactor = 1, mobile = false });

    /// <summary>Loads a page; returns once Chromium has committed the navigation (the page's scripts run on).</summary>
    public async Task NavigateAsync(Uri url)
    {
        var result = await SendAsync("Page.navigate", new { url = url.ToString() });
        if (result["errorText"] is { } failed)
        {
            throw new InvalidOperationException($"Navigating to {url} failed: {failed}");
        }
    }

    /// <summary>Evaluates a JavaScript expression in the page and returns its value as JSON (null for undefined).</summary>
    public async Task<JsonNode?> EvaluateAsync(string expression)
    {
        var result = await SendAsync("Runtime.evaluate", new { expression, returnByValue = true, awaitPromise = true });
        if (result["exceptionDetails"] is { } exception)
        {
            throw new InvalidOperationException($"The page threw evaluating `{expression}`: {exception.ToJsonString()}");
        }

        return result["result"]?["value"]?.DeepClone();
    }

    /// <summary>Writes a PNG of the viewport to <paramref name="path"/>.</summary>
    public async Task ScreenshotAsync(string path)
    {
        var result = await SendAsync("Page.captureScreenshot", new { format = "png" });
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await File.WriteAllBytesAsync(path, Convert.FromBase64String(result["data"]!.GetValue<string>()));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _process.WaitForExitAsync(patience.Token);
        }
        catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException or System.ComponentModel.Win32Exception)
        {
            // Already gone, or it would not die in time: the profile is still removed below, as far as it can be.
        }

        _socket.Dispose();
        try
        {
            await _receiving.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or TimeoutException or ObjectDisposedException)
        {
        }

        _process.Dispose();
        _stop.Dispose();
        for (var attempt = 0; Directory.Exists(_profile); attempt++)
        {
            try
            {
                Directory.Delete(_profile, recursive: true);
            }
            catch (IOException) when (attempt < 20)
            {
                await Task.Delay(100); // a child process may still be closing files in it
            }
        }
    }

    private async Task AttachAsync()
    {
        var portFile = Path.Combine(_profile, "DevToolsActivePort");
        var deadline = DateTime.UtcNow + Patience;
        int port;
        while (!TryReadPort(portFile, out port))
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"Chromium wrote no DevToolsActivePort (exited: {_process.HasExited}). Its stderr:\n{Diagnostics}");
            }

            await Task.Delay(50);
        }

        using var http = new HttpClient { Timeout = Patience };
        var targets = JsonNode.Parse(await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/json/list")))!.AsArray();
        var page = targets.FirstOrDefault(t => (string?)t!["type"] == "page")
            ?? throw new InvalidOperationException($"Chromium lists no page target: {targets.ToJsonString()}");
        await _socket.ConnectAsync(new Uri((string)page["webSocketDebuggerUrl"]!), _stop.Token);
        _receiving = Task.Run(ReceiveAsync);
        await SendAsync("Page.enable");
        await SendAsync("Runtime.enable");
    }

    private static bool TryReadPort(string file, out int port)
    {
        port = 0;
        try
        {
            var lines = File.Exists(file) ? File.ReadAllLines(file) : [];
            return lines.Length >= 2 && int.TryParse(lines[0], out port); // the second line (the browser's path) is written last
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Hands every command's reply to its sender; events are not used.</summary>
    private async Task ReceiveAsync()
    {
        var buffer = new byte[1 << 16];
        using var message = new MemoryStream();
        try
        {
            while (_socket.State == WebSocketState.Open)
            {
                var received = await _socket.ReceiveAsync(buffer, _stop.Token);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                message.Write(buffer, 0, received.Count);
                if (!received.EndOfMessage)
                {
                    continue;
                }

                var reply = JsonNode.Parse(message.ToArray())!.AsObject();
                message.SetLength(0);
                if (reply["id"] is { } id && _pending.TryRemove(id.GetValue<int>(), out var waiting))
                {
                    waiting.TrySetResult(reply);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }

        foreach (var waiting in _pending.Values)
        {
            waiting.TrySetException(new InvalidOperationException($"The DevTools connection closed. Chromium's stderr:\n{Diagnostics}"));
        }
    }
}
