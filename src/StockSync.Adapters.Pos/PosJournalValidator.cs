using StockSync.Inventory;

namespace StockSync.Adapters.Pos;

/// <summary>
/// Checks a journal batch before it is accepted (HTTP 400 names every bad field) and again when it is consumed (a
/// message edited in the error queue is refused with the same words). Mapping is not checked here: an unmapped store or
/// barcode is known only when the batch is processed, and faults it with the reason.
/// </summary>
public static class PosJournalValidator
{
    /// <summary>The most entries one upload may carry (an offline store uploads its journal in several batches).</summary>
    public const int MaxEntries = 1000;

    /// <summary>The most lines one entry may have.</summary>
    public const int MaxLines = 200;

    /// <summary>The largest quantity of one line, in the barcode's unit.</summary>
    public const int MaxQuantity = 100_000;

    /// <summary>The longest store number (it is part of every movement's source message id).</summary>
    public const int MaxStoreNumberLength = 64;

    /// <summary>Every problem of <paramref name="batch"/>, with the field's wire name (for example <c>entries[3].lines[0].quantity</c>).</summary>
    public static IReadOnlyList<ValidationProblem> Validate(PosJournalBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return Validate(batch.StoreNumber, batch.Entries);
    }

    /// <summary>Every problem of a store number and its entries.</summary>
    public static IReadOnlyList<ValidationProblem> Validate(string? storeNumber, IReadOnlyList<PosJournalEntry?>? entries)
    {
        var problems = new List<ValidationProblem>();
        if (MovementValidator.CheckId("storeNumber", storeNumber) is { } store)
        {
            problems.Add(store);
        }
        else if (storeNumber!.Length > MaxStoreNumberLength)
        {
            problems.Add(new("storeNumber", $"The store number cannot be longer than {MaxStoreNumberLength} characters."));
        }

        if (entries is null || entries.Count == 0)
        {
            problems.Add(new("entries", "Send at least one journal entry."));
            return problems;
        }

        if (entries.Count > MaxEntries)
        {
            problems.Add(new("entries", $"At most {MaxEntries} entries per upload; send the journal in several batches."));
            return problems;
        }

        var seen = new HashSet<long>();
        for (var i = 0; i < entries.Count; i++)
        {
            var prefix = $"entries[{i}]";
            if (entries[i] is not { } entry)
            {
                problems.Add(new(prefix, "An entry cannot be null."));
                continue;
            }

            if (entry.Sequence < 1)
            {
                problems.Add(new($"{prefix}.sequence", "The sequence number must be 1 or more."));
            }
            else if (!seen.Add(entry.Sequence))
            {
                problems.Add(new($"{prefix}.sequence", $"Sequence number {entry.Sequence} appears more than once in this upload."));
            }

            if (!Enum.IsDefined(entry.Type))
            {
                problems.Add(new($"{prefix}.type", "The type must be Sale, Return or PickupHandover."));
            }

            if (entry.OccurredAt == default)
            {
                problems.Add(new($"{prefix}.occurredAt", "When the entry happened is required."));
            }

            Add(problems, MovementValidator.CheckId($"{prefix}.transactionId", entry.TransactionId));
            if (entry.Type == PosEntryType.PickupHandover)
            {
                Add(problems, MovementValidator.CheckId($"{prefix}.orderId", entry.OrderId));
                if (entry.Lines is { Count: > 0 })
                {
                    problems.Add(new($"{prefix}.lines", "A pickup handover has no lines: it hands over the whole order."));
                }

                if (entry.OriginalTransactionId is not null)
                {
                    problems.Add(new($"{prefix}.originalTransactionId", "Only a return names an original transaction."));
                }
            }
            else
            {
                if (entry.OrderId is not null)
                {
                    problems.Add(new($"{prefix}.orderId", "Only a pickup handover names an order."));
                }

                if (entry.OriginalTransactionId is not null)
                {
                    if (entry.Type != PosEntryType.Return)
                    {
                        problems.Add(new($"{prefix}.originalTransactionId", "Only a return names an original transaction."));
                    }
                    else
                    {
                        Add(problems, MovementValidator.CheckId($"{prefix}.originalTransactionId", entry.OriginalTransactionId));
                    }
                }

                CheckLines(problems, prefix, entry.Lines);
            }
        }

        return problems;
    }

    private static void CheckLines(List<ValidationProblem> problems, string prefix, IReadOnlyList<PosJournalLine?>? lines)
    {
        if (lines is null || lines.Count == 0)
        {
            problems.Add(new($"{prefix}.lines", "A sale or a return needs at least one line."));
            return;
        }

        if (lines.Count > MaxLines)
        {
            problems.Add(new($"{prefix}.lines", $"At most {MaxLines} lines per entry."));
            return;
        }

        for (var j = 0; j < lines.Count; j++)
        {
            var field = $"{prefix}.lines[{j}]";
            if (lines[j] is not { } line)
            {
                problems.Add(new(field, "A line cannot be null."));
                continue;
            }

            Add(problems, MovementValidator.CheckId($"{field}.barcode", line.Barcode));
            if (line.Quantity is < 1 or > MaxQuantity)
            {
                problems.Add(new($"{field}.quantity", $"The quantity must be between 1 and {MaxQuantity}."));
            }
        }
    }

    private static void Add(List<ValidationProblem> problems, ValidationProblem? problem)
    {
        if (problem is not null)
        {
            problems.Add(problem);
        }
    }
}
