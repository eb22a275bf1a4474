namespace StockSync.Persistence;

/// <summary>Names this process in lease and claim columns (<c>outbox_partitions.owner</c>, <c>deadline_claims.claimed_by</c>).</summary>
public static class ReplicaId
{
    /// <summary>Machine, process and a fresh id: unique per process, readable by operators, at most 128 characters.</summary>
    public static string New()
    {
        var id = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";
        return id.Length <= 128 ? id : id[^128..];
    }
}
