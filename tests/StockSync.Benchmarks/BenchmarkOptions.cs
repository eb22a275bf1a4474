using System.Globalization;

namespace StockSync.Benchmarks;

/// <summary>The command line of the benchmark. <see cref="Parse"/> throws <see cref="UsageException"/> on a bad option.</summary>
public sealed record BenchmarkOptions
{
    /// <summary>Number of seeded locations (default 200).</summary>
    public int Locations { get; init; } = 200;

    /// <summary>Number of seeded SKUs (default 5,000): Locations × Skus positions.</summary>
    public int Skus { get; init; } = 5000;

    /// <summary>Movements per second offered in the fixed-rate phase (default 3,333, i.e. 200,000 a minute).</summary>
    public int Rate { get; init; } = 3333;

    /// <summary>Length of each phase (fixed rate, maximum rate, raw-transport baseline); default 60 s.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Seed of the random generator that picks movement types, keys and quantities (default 42).</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Publishes in flight at once (default 256).</summary>
    public int InFlight { get; init; } = 256;

    /// <summary>How long to wait for the host to drain after the load before the end check gives up (default 10 min).</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Folder for the JSON and Markdown results; default <c>artifacts/benchmarks/&lt;timestamp&gt;</c>.</summary>
    public string? Out { get; init; }

    /// <summary>Skips the raw-transport baseline.</summary>
    public bool NoBaseline { get; init; }

    /// <summary>True when <c>--small</c> was given (20 × 500 positions).</summary>
    public bool Small { get; init; }

    /// <summary>True for <c>--help</c>.</summary>
    public bool Help { get; init; }

    /// <summary>Number of seeded positions.</summary>
    public long Positions => (long)Locations * Skus;

    /// <summary>The options as they appear in the output.</summary>
    public string Describe() => string.Create(
        CultureInfo.InvariantCulture,
        $"--locations {Locations} --skus {Skus} --rate {Rate} --duration {Duration.TotalSeconds:0} --seed {Seed} --in-flight {InFlight}{(NoBaseline ? " --no-baseline" : "")}");

    public const string Usage = """
        StockSync benchmark (issue #8): seeds a catalogue, drives the real host on RabbitMQ and PostgreSQL, prints figures.
        Run it under deploy/test-infra.sh, which provides the servers and the STOCKSYNC_TEST_* variables:
          bash deploy/test-infra.sh dotnet run -c Release --project tests/StockSync.Benchmarks -- [options]

        Options:
          --locations <n>       seeded locations (default 200)
          --skus <n>            seeded SKUs (default 5000); positions = locations x skus
          --small               quick run: 20 locations x 500 SKUs (explicit --locations/--skus still win)
          --rate <n>            movements/s offered in the fixed-rate phase (default 3333)
          --duration <s>        seconds per phase: fixed rate, maximum rate, raw baseline (default 60)
          --seed <n>            random seed for the movement mix and keys (default 42)
          --in-flight <n>       publishes in flight at once (default 256)
          --drain-timeout <s>   give up waiting for the host to drain after this many seconds (default 600)
          --out <dir>           results folder (default artifacts/benchmarks/<timestamp>)
          --no-baseline         skip the raw MassTransit baseline
          -h, --help            this text

        Exit codes: 0 the end check passed, 1 it failed (or the run failed), 2 bad options.
        """;

    /// <summary>Reads the command line.</summary>
    public static BenchmarkOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new BenchmarkOptions();
        int? locations = null, skus = null;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            switch (arg)
            {
                case "-h" or "--help":
                    options = options with { Help = true };
                    break;
                case "--small":
                    options = options with { Small = true };
                    break;
                case "--no-baseline":
                    options = options with { NoBaseline = true };
                    break;
                case "--locations":
                    locations = Positive(arg, Value(args, ref i));
                    break;
                case "--skus":
                    skus = Positive(arg, Value(args, ref i));
                    break;
                case "--rate":
                    options = options with { Rate = Positive(arg, Value(args, ref i)) };
                    break;
                case "--duration":
                    options = options with { Duration = TimeSpan.FromSeconds(Positive(arg, Value(args, ref i))) };
                    break;
                case "--seed":
                    options = options with { Seed = Integer(arg, Value(args, ref i)) };
                    break;
                case "--in-flight":
                    options = options with { InFlight = Positive(arg, Value(args, ref i)) };
                    break;
                case "--drain-timeout":
                    options = options with { DrainTimeout = TimeSpan.FromSeconds(Positive(arg, Value(args, ref i))) };
                    break;
                case "--out":
                    options = options with { Out = Value(args, ref i) };
                    break;
                default:
                    throw new UsageException($"Unknown option '{arg}'.");
            }
        }

        if (options.Small)
        {
            options = options with { Locations = 20, Skus = 500 };
        }

        options = options with { Locations = locations ?? options.Locations, Skus = skus ?? options.Skus };
        if (options.Locations < 2)
        {
            throw new UsageException("--locations must be at least 2 (transfers need two locations).");
        }

        return options;
    }

    private static string Value(IReadOnlyList<string> args, ref int i)
    {
        if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
        {
            throw new UsageException($"Option '{args[i]}' needs a value.");
        }

        i++;
        return args[i];
    }

    private static int Integer(string option, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new UsageException($"Option '{option}' needs a whole number, not '{value}'.");

    private static int Positive(string option, string value) =>
        Integer(option, value) is var n and > 0 ? n : throw new UsageException($"Option '{option}' must be greater than zero, not '{value}'.");
}

/// <summary>A bad command line (exit code 2).</summary>
public sealed class UsageException(string message) : Exception(message);
