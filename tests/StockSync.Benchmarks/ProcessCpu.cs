using System.Globalization;

namespace StockSync.Benchmarks;

/// <summary>
/// CPU time of the processes under test from <c>/proc/&lt;pid&gt;/stat</c> (utime + stime, in clock ticks of 1/100 s):
/// the host child, this benchmark, RabbitMQ's <c>beam.smp</c> and PostgreSQL. For PostgreSQL it is the postmaster of
/// the cluster deploy/test-infra.sh started (its data dir is under /tmp/stocksync-test-infra.*) with all its live
/// children, plus the postmaster's cutime + cstime, which holds the time of backends that already exited.
/// </summary>
public sealed class ProcessCpu(int hostPid)
{
    private const double TicksPerSecond = 100; // USER_HZ on Linux

    /// <summary>CPU seconds used so far per process group.</summary>
    public IReadOnlyDictionary<string, double> Sample()
    {
        var result = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["host"] = Own(hostPid),
            ["benchmark"] = Own(Environment.ProcessId),
        };
        var processes = AllProcesses();
        result["rabbitmq (beam.smp)"] = processes
            .Where(p => p.Comm == "beam.smp" && CommandLine(p.Pid).Contains("stocksync-test", StringComparison.Ordinal))
            .Sum(p => p.Own);
        var postmasters = processes
            .Where(p => p.Comm == "postgres" && CommandLine(p.Pid).Contains("stocksync-test-infra", StringComparison.Ordinal)
                && !processes.Any(parent => parent.Pid == p.Parent && parent.Comm == "postgres"))
            .ToList();
        result["postgres"] = postmasters.Sum(m => m.Own + m.Children + processes.Where(c => c.Parent == m.Pid).Sum(c => c.Own));
        return result;
    }

    /// <summary>CPU seconds between two samples, per process group.</summary>
    public static IReadOnlyDictionary<string, double> Difference(IReadOnlyDictionary<string, double> before, IReadOnlyDictionary<string, double> after) =>
        after.ToDictionary(a => a.Key, a => a.Value - before.GetValueOrDefault(a.Key), StringComparer.Ordinal);

    private static double Own(int pid) => Read(pid) is { } stat ? stat.Own : 0;

    private static List<Stat> AllProcesses()
    {
        var list = new List<Stat>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && Read(pid) is { } stat)
            {
                list.Add(stat);
            }
        }

        return list;
    }

    private static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return string.Empty;
        }
        catch (UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }

    private static Stat? Read(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        // pid (comm) state ppid ... : comm may hold spaces, so split after the last ')'.
        var open = text.IndexOf('(', StringComparison.Ordinal);
        var close = text.LastIndexOf(')');
        if (open < 0 || close < open)
        {
            return null;
        }

        var comm = text[(open + 1)..close];
        var fields = text[(close + 2)..].Split(' ');
        // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15, cutime 16, cstime 17.
        double F(int field) => double.Parse(fields[field - 3], CultureInfo.InvariantCulture) / TicksPerSecond;
        return new Stat(pid, comm, int.Parse(fields[1], CultureInfo.InvariantCulture), F(14) + F(15), F(16) + F(17));
    }

    private sealed record Stat(int Pid, string Comm, int Parent, double Own, double Children);
}
