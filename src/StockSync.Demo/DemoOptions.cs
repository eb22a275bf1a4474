using System.Globalization;

namespace StockSync.Demo;

/// <summary>The transports the demo can run the host on.</summary>
internal enum DemoTransport
{
    /// <summary>MassTransit's in-memory bus (the embedded default, with SQLite).</summary>
    InMemory,

    /// <summary>The user's RabbitMQ broker (<see cref="DemoOptions.RabbitMqUrl"/>), with SQLite.</summary>
    RabbitMq,
}

/// <summary>
/// The demo's command line: <c>--transport inmemory|rabbitmq</c>, <c>--rabbitmq-url</c>,
/// <c>--rabbitmq-management-url</c>, <c>--sales N</c>, <c>--sale-interval-ms N</c>, <c>--outage-seconds N</c>,
/// <c>--push-rate N</c>, <c>--seed N</c>, <c>--report PATH</c>, <c>--keep</c>, <c>--help</c>.
/// </summary>
internal sealed record DemoOptions
{
    /// <summary>The usage text of <c>--help</c>.</summary>
    public const string Usage = """
        StockSync demo: a scripted store day against the real host (a child process) and the simulators, over HTTP.

        Usage: dotnet run --project src/StockSync.Demo [-- options]

          --transport inmemory|rabbitmq   the host's bus (default inmemory; the database is always a fresh SQLite file)
          --rabbitmq-url URL              the broker for --transport rabbitmq (default amqp://guest:guest@localhost:5672/)
          --rabbitmq-management-url URL   its management API, used to create a fresh vhost for the run and delete it
                                          afterwards (default http://<broker host>:15672); when it cannot be used, the
                                          demo's queues are declared in the URL's vhost
          --sales N                       till sales over the day, spread over both stores (default 120)
          --sale-interval-ms N            pause between two sales (default 150)
          --outage-seconds N              how long the ERP is down, starting after a third of the sales (default 15)
          --push-rate N                   storefront inventory API calls per second, on both sides (default 2, as Shopify's REST API)
          --seed N                        the random seed of the sales (default 42)
          --report PATH                   where the JSON report goes (default: next to the run's temp dir)
          --keep                          keep the temp dir (SQLite file, host log) after a successful run
          --help                          this text

        Exit code: 0 when the day ran, every posting was booked and the ERP reconciliation found no mismatch; 1 otherwise;
        2 for bad options.
        """;

    public DemoTransport Transport { get; init; } = DemoTransport.InMemory;

    public Uri RabbitMqUrl { get; init; } = new("amqp://guest:guest@localhost:5672/");

    public Uri? RabbitMqManagementUrl { get; init; }

    public int Sales { get; init; } = 120;

    public int SaleIntervalMs { get; init; } = 150;

    public int OutageSeconds { get; init; } = 15;

    public double PushRate { get; init; } = 2;

    public int Seed { get; init; } = 42;

    public string? ReportPath { get; init; }

    public bool Keep { get; init; }

    public bool Help { get; init; }

    /// <summary>Parses the command line; a bad option gives an error message (exit code 2) and no options.</summary>
    public static (DemoOptions? Options, string? Error) Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new DemoOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal)
                ? args[++i]
                : throw new FormatException($"{name} needs a value.");

            try
            {
                options = name switch
                {
                    "--help" or "-h" or "-?" => options with { Help = true },
                    "--keep" => options with { Keep = true },
                    "--transport" => options with
                    {
                        Transport = Value().ToUpperInvariant() switch
                        {
                            "INMEMORY" or "IN-MEMORY" => DemoTransport.InMemory,
                            "RABBITMQ" => DemoTransport.RabbitMq,
                            var other => throw new FormatException($"--transport must be inmemory or rabbitmq, not '{other.ToLowerInvariant()}'."),
                        },
                    },
                    "--rabbitmq-url" => options with { RabbitMqUrl = AbsoluteUri(name, Value(), "amqp", "amqps") },
                    "--rabbitmq-management-url" => options with { RabbitMqManagementUrl = AbsoluteUri(name, Value(), "http", "https") },
                    "--sales" => options with { Sales = Integer(name, Value(), 1, 100_000) },
                    "--sale-interval-ms" => options with { SaleIntervalMs = Integer(name, Value(), 0, 60_000) },
                    "--outage-seconds" => options with { OutageSeconds = Integer(name, Value(), 0, 3_600) },
                    "--push-rate" => options with { PushRate = Integer(name, Value(), 1, 1_000) },
                    "--seed" => options with { Seed = Integer(name, Value(), int.MinValue, int.MaxValue) },
                    "--report" => options with { ReportPath = Path.GetFullPath(Value()) },
                    _ => throw new FormatException($"Unknown option '{name}'."),
                };
            }
            catch (FormatException ex)
            {
                return (null, ex.Message);
            }
        }

        return (options, null);
    }

    private static int Integer(string name, string value, int min, int max) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) && number >= min && number <= max
            ? number
            : throw new FormatException($"{name} must be a whole number from {min} to {max}, not '{value}'.");

    private static Uri AbsoluteUri(string name, string value, params string[] schemes) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && schemes.Contains(uri.Scheme, StringComparer.OrdinalIgnoreCase)
            ? uri
            : throw new FormatException($"{name} must be an absolute {string.Join(" or ", schemes)} URL, not '{value}'.");
}
