namespace StockSync.Persistence.Operations;

/// <summary>
/// When a saga instance counts as stuck: no change for longer than <see cref="StuckAfterSeconds"/> in a state
/// (<c>*</c> for every state without a row of its own). Operators tune it with plain SQL; the view
/// <c>ops_sagas_stuck</c> reads it.
/// </summary>
public sealed class OpsStuckThresholdRecord
{
    /// <summary>The saga, by its table name.</summary>
    public required string Saga { get; set; }

    /// <summary>A state name, or <c>*</c>.</summary>
    public required string CurrentState { get; set; }

    public int StuckAfterSeconds { get; set; }
}
