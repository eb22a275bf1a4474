namespace StockSync.IntegrationTests.Infrastructure;

/// <summary>
/// Test classes that start <see cref="HostProcess"/>es join this collection and run alone, not beside other test
/// classes: two .NET hosts starting and a ledger under load take both cores of a small machine, which would skew
/// the timing other tests depend on (and theirs).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HostProcessesRunAlone
{
    public const string Name = "Host processes";
}
