using System.Diagnostics;
using System.Globalization;
using MassTransit;
using StockSync.Benchmarks;
using StockSync.IntegrationTests.Infrastructure;
using StockSync.Ledger;
using StockSync.Persistence;

BenchmarkOptions options;
try
{
    options = BenchmarkOptions.Parse(args);
}
catch (UsageException ex)
{
    await Console.Error.WriteLineAsync($"{ex.Message}{Environment.NewLine}{Environment.NewLine}{BenchmarkOptions.Usage}");
    return 2;
}

if (options.Help)
{
    Console.WriteLine(BenchmarkOptions.Usage);
    return 0;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

try
{
    return await new BenchmarkRun(options).RunAsync(cancel.Token);
}
catch (OperationCanceledException)
{
    await Console.Error.WriteLineAsync("Cancelled.");
    return 1;
}

namespace StockSync.Benchmarks
{
    /// <summary>
    /// One run: a fresh database and vhosts, the real host as a child process, the seed, the raw baseline, the
    /// fixed-rate and maximum-rate phases, the drain and the end check, then the report.
    /// </summary>
    internal sealed class BenchmarkRun(BenchmarkOptions options)
    {
        private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(500);
        private readonly string _runId = DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss", CultureInfo.InvariantCulture);

        public async Task<int> RunAsync(CancellationToken ct)
        {
            var startedAt = DateTimeOffset.UtcNow;
            var outDir = options.Out ?? Path.Combine("artifacts", "benchmarks", _runId);
            Log($"run {_runId}: {options.Describe()}; results to {outDir}");

            await using var database = await TestDatabase.CreateAsync(DatabaseProvider.PostgreSql);
            await using var vhost = await RabbitMqVirtualHost.CreateAsync();
            Log($"{database.Description}; {vhost.Description}");
            await using var host = await HostProcess.StartAsync("bench", database, vhost, new Dictionary<string, string>
            {
                ["Erp__Postings__DispatcherEnabled"] = "false",
                ["Operations__DeadLetters__Enabled"] = "false",
                // HostProcess shortens it for the tests; the benchmark runs the host's own default (appsettings.json).
                ["Ledger__BatchTimeLimit"] = "00:00:00.010",
                ["Serilog__MinimumLevel__Default"] = "Warning",
            });
            Log($"host started ({host}); it migrated the database");

            var seedTime = await Seeder.SeedAsync(database.ConnectionString, options, ct);
            Log($"seeded {options.Positions:N0} positions ({options.Locations} locations x {options.Skus} SKUs) with items, locations and opening ledger rows in {seedTime.TotalSeconds:0.0} s");

            var cpu = new ProcessCpu(host.ProcessId);
            var baseline = options.NoBaseline ? null : await RunBaselineAsync(cpu, ct);

            var mix = new MovementMix(options, _runId);
            var observer = new HostObserver([.. mix.SourceSystems]);
            var probe = new LedgerProbe(database.ConnectionString, mix.SourceSystems);
            var driver = new LoadDriver(mix, options);
            var bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
            {
                ConfigureHost(cfg, vhost.Name);
                cfg.ExcludeMovementBaseFromTopology();
                observer.Configure(cfg);
            });
            await bus.StartAsync(ct);
            var phases = new List<PhaseResult>();
            var sales = new List<IReadOnlyList<SentSale>>();
            try
            {
                foreach (var (name, rate) in new[] { ($"fixed {options.Rate}/s", (int?)options.Rate), ("maximum rate", null) })
                {
                    var before = cpu.Sample();
                    using var sampling = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    var outbox = probe.SampleOutboxAsync(sampling.Token);
                    var from = Stopwatch.GetTimestamp();
                    Log($"phase '{name}' for {options.Duration.TotalSeconds:0} s");
                    var published = await driver.RunAsync(bus, rate, options.Duration, ct);
                    var to = Stopwatch.GetTimestamp();
                    var appliedInPhase = observer.AppliedBetween(from, to);
                    // CPU and outbox lag cover the publishing window and the drain after it: the host's work for the phase.
                    var drain = await DrainAsync(() => Task.FromResult(observer.Applied), driver.Published, ct);
                    var cpuSeconds = ProcessCpu.Difference(before, cpu.Sample());
                    await sampling.CancelAsync();
                    var lag = await outbox;
                    Log($"phase '{name}': offered {published.OfferedPerSecond:0}/s, applied in phase {appliedInPhase}, drained {drain.TotalSeconds:0.0} s after ({published.Movements / (published.Elapsed + drain).TotalSeconds:0}/s through the drain)");
                    sales.Add(published.Sales);
                    phases.Add(new PhaseResult(name, published.OfferedPerSecond, published.Movements, published.Elapsed.TotalSeconds, appliedInPhase,
                        appliedInPhase / published.Elapsed.TotalSeconds, drain.TotalSeconds, Latency: null!, lag, cpuSeconds, published.ByType));
                }

                Log("waiting for the host to drain (processed_movements)");
                await DrainAsync(() => probe.ProcessedAsync(ct), driver.Published, ct);
                // Availability changes of the last batches trail the commit through the outbox.
                await WaitForQuietAsync(observer, ct);
            }
            finally
            {
                await bus.StopAsync(CancellationToken.None);
            }

            var changes = Latency.ByKey(observer.Availability);
            phases = [.. phases.Select((p, i) => p with { Latency = Latency.Measure(sales[i], changes) })];
            var check = await probe.CheckAsync(driver.Published, driver.Expected, ct);
            var report = new BenchmarkReport(_runId, startedAt, Command(), Machine(), database.Description, vhost.Description, options.Positions,
                seedTime.TotalSeconds, baseline, phases, check.Verdict, check.Passed);
            Directory.CreateDirectory(outDir);
            var markdown = report.ToMarkdown();
            await File.WriteAllTextAsync(Path.Combine(outDir, "benchmark.json"), report.ToJson(), ct);
            await File.WriteAllTextAsync(Path.Combine(outDir, "benchmark.md"), markdown, ct);
            Console.WriteLine();
            Console.WriteLine(markdown);
            Console.WriteLine(check.Verdict);
            return check.Passed ? 0 : 1;
        }

        private async Task<BaselineResult> RunBaselineAsync(ProcessCpu cpu, CancellationToken ct)
        {
            await using var vhost = await RabbitMqVirtualHost.CreateAsync();
            var counter = new BaselineCounter();
            var bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
            {
                ConfigureHost(cfg, vhost.Name);
                cfg.ExcludeMovementBaseFromTopology();
                counter.Configure(cfg);
            });
            await bus.StartAsync(ct);
            try
            {
                Log($"raw transport baseline for {options.Duration.TotalSeconds:0} s on vhost {vhost.Name}");
                var driver = new LoadDriver(new MovementMix(options, _runId), options);
                var before = cpu.Sample();
                var from = Stopwatch.GetTimestamp();
                var published = await driver.RunAsync(bus, rate: null, options.Duration, ct);
                var to = Stopwatch.GetTimestamp();
                var cpuSeconds = ProcessCpu.Difference(before, cpu.Sample());
                await DrainAsync(() => Task.FromResult((long)counter.Consumed), published.Movements, ct);
                var consumed = counter.ConsumedBetween(from, to);
                var result = new BaselineResult(published.Movements, published.OfferedPerSecond, consumed, consumed / published.Elapsed.TotalSeconds,
                    published.Elapsed.TotalSeconds, cpuSeconds);
                Log($"baseline: published {result.PublishedPerSecond:0}/s, consumed {result.ConsumedPerSecond:0}/s");
                return result;
            }
            finally
            {
                await bus.StopAsync(CancellationToken.None);
            }
        }

        /// <summary>Waits until <paramref name="count"/> reaches <paramref name="target"/>, at most the drain timeout; returns how long it took.</summary>
        private async Task<TimeSpan> DrainAsync(Func<Task<long>> count, long target, CancellationToken ct)
        {
            var watch = Stopwatch.StartNew();
            long last = -1;
            while (watch.Elapsed < options.DrainTimeout)
            {
                var now = await count();
                if (now >= target)
                {
                    return watch.Elapsed;
                }

                if (now != last)
                {
                    last = now;
                }

                await Task.Delay(Poll, ct);
            }

            Log($"gave up waiting after {options.DrainTimeout.TotalSeconds:0} s: {last} of {target}");
            return watch.Elapsed;
        }

        private static async Task WaitForQuietAsync(HostObserver observer, CancellationToken ct)
        {
            var count = -1;
            while (observer.Availability.Count != count)
            {
                count = observer.Availability.Count;
                await Task.Delay(TimeSpan.FromSeconds(2), ct);
            }
        }

        private static void ConfigureHost(IRabbitMqBusFactoryConfigurator cfg, string vhost) =>
            cfg.Host(TestEnvironment.RabbitHost, (ushort)TestEnvironment.RabbitPort, vhost, h =>
            {
                h.Username(TestEnvironment.RabbitUser);
                h.Password(TestEnvironment.RabbitPassword);
            });

        private static string Command() =>
            "bash deploy/test-infra.sh dotnet run -c Release --project tests/StockSync.Benchmarks --" +
            string.Concat(Environment.GetCommandLineArgs().Skip(1).Select(a => " " + a));

        private static string Machine()
        {
            var memory = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal)) ?? "MemTotal: ?";
            var os = File.Exists("/etc/os-release")
                ? File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))?["PRETTY_NAME=".Length..].Trim('"')
                : null;
            return $"{Environment.ProcessorCount} cores, {memory.Replace("MemTotal:", string.Empty, StringComparison.Ordinal).Trim()} memory, {os ?? Environment.OSVersion.ToString()}, .NET {Environment.Version}";
        }

        private static void Log(string message) =>
            Console.Error.WriteLine($"[benchmark {DateTime.UtcNow:HH:mm:ss}] {message}");
    }
}
