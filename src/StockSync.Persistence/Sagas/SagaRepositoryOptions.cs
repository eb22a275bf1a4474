namespace StockSync.Persistence.Sagas;

/// <summary>How the StockSync EF Core repository treats one saga's rows.</summary>
public sealed class SagaRepositoryOptions<TSaga>
    where TSaga : StockSyncSagaState
{
    /// <summary>
    /// Keep finalized instances (state <c>Final</c>) instead of deleting them, so operators can still read how a flow
    /// ended. Only applies to state machines that call <c>SetCompletedWhenFinalized()</c>; default false (delete).
    /// </summary>
    public bool KeepFinalizedInstances { get; set; }
}
