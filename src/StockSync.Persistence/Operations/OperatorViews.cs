using Microsoft.EntityFrameworkCore.Migrations;
using StockSync.Persistence.Configuration;

namespace StockSync.Persistence.Operations;

/// <summary>A saga table the operators' views cover, with its deadline properties (each a nullable UTC column).</summary>
public sealed record SagaViewSource(string Table, params string[] Deadlines);

/// <summary>
/// The SQL views operators read saga state and outbox health from. They are created by the migrations of each
/// provider (this class is only called from migrations and tests: no provider-specific SQL runs anywhere else).
/// A migration that adds a saga drops and recreates them with the new list of saga tables.
/// <list type="bullet">
/// <item><c>ops_saga_instances</c>: every instance of every saga, with the seconds since its last change.</item>
/// <item><c>ops_sagas_by_state</c>: instance counts per saga and state.</item>
/// <item><c>ops_sagas_stuck</c>: instances unchanged for longer than their threshold (<c>ops_stuck_thresholds</c>), final ones excluded.</item>
/// <item><c>ops_deadlines</c>: every pending deadline, with seconds overdue (negative: not due yet).</item>
/// <item><c>ops_deadlines_due</c>: deadlines that have passed, and whether the sweeper has fired them yet.</item>
/// <item><c>ops_outbox_backlog</c>: undelivered outbox messages per dispatcher partition, with its owner and lease.</item>
/// </list>
/// </summary>
public static class OperatorViews
{
    private static readonly string[] Views =
        ["ops_deadlines_due", "ops_deadlines", "ops_sagas_stuck", "ops_sagas_by_state", "ops_saga_instances", "ops_outbox_backlog"];

    /// <summary>Creates the views for <paramref name="sagas"/> on the migration's provider.</summary>
    public static void Create(MigrationBuilder migrationBuilder, params SagaViewSource[] sagas)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        foreach (var statement in CreateStatements(migrationBuilder.ActiveProvider ?? string.Empty, sagas))
        {
            migrationBuilder.Sql(statement);
        }
    }

    /// <summary>Drops the views (before recreating them, or in a migration's Down).</summary>
    public static void Drop(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        foreach (var statement in DropStatements())
        {
            migrationBuilder.Sql(statement);
        }
    }

    /// <summary>The DROP VIEW statements, dependants first.</summary>
    public static IReadOnlyList<string> DropStatements() => [.. Views.Select(v => $"DROP VIEW IF EXISTS {v};")];

    /// <summary>The CREATE VIEW statements for a provider (its EF Core provider name).</summary>
    public static IReadOnlyList<string> CreateStatements(string provider, IReadOnlyList<SagaViewSource> sagas)
    {
        ArgumentNullException.ThrowIfNull(sagas);
        var sql = Dialect.For(provider);
        var instances = sagas.Count == 0
            ? $"SELECT {sql.Null("text")} AS saga, {sql.Null("uuid")} AS correlation_id, {sql.Null("text")} AS current_state, {sql.Null("time")} AS created_at, {sql.Null("time")} AS updated_at, {sql.Null("seconds")} AS seconds_in_state WHERE 1 = 0"
            : string.Join("\nUNION ALL\n", sagas.Select(s =>
                $"SELECT '{s.Table}' AS saga, correlation_id, current_state, created_at, updated_at, {sql.SecondsSince("updated_at")} AS seconds_in_state FROM {s.Table}"));
        var deadlineSources = sagas.SelectMany(s => s.Deadlines.Select(d => (s.Table, Property: d, Column: SnakeCaseNaming.ToSnakeCase(d)))).ToList();
        var deadlines = deadlineSources.Count == 0
            ? $"SELECT {sql.Null("text")} AS saga, {sql.Null("uuid")} AS correlation_id, {sql.Null("text")} AS current_state, {sql.Null("text")} AS deadline, {sql.Null("time")} AS due_at, {sql.Null("seconds")} AS seconds_overdue WHERE 1 = 0"
            : string.Join("\nUNION ALL\n", deadlineSources.Select(d =>
                $"SELECT '{d.Table}' AS saga, correlation_id, current_state, '{d.Property}' AS deadline, {d.Column} AS due_at, {sql.SecondsSince(d.Column)} AS seconds_overdue FROM {d.Table} WHERE {d.Column} IS NOT NULL"));

        string[] statements =
        [
            $"CREATE VIEW ops_saga_instances AS\n{instances}",
            """
            CREATE VIEW ops_sagas_by_state AS
            SELECT saga, current_state, COUNT(*) AS instances, MIN(updated_at) AS oldest_change_at, MAX(updated_at) AS newest_change_at
            FROM ops_saga_instances
            GROUP BY saga, current_state
            """,
            """
            CREATE VIEW ops_sagas_stuck AS
            SELECT i.saga, i.correlation_id, i.current_state, i.updated_at, i.seconds_in_state, t.stuck_after_seconds
            FROM ops_saga_instances i
            JOIN ops_stuck_thresholds t ON t.saga = i.saga AND t.current_state = i.current_state
            WHERE i.current_state <> 'Final' AND i.seconds_in_state > t.stuck_after_seconds
            UNION ALL
            SELECT i.saga, i.correlation_id, i.current_state, i.updated_at, i.seconds_in_state, t.stuck_after_seconds
            FROM ops_saga_instances i
            JOIN ops_stuck_thresholds t ON t.saga = i.saga AND t.current_state = '*'
            WHERE i.current_state <> 'Final' AND i.seconds_in_state > t.stuck_after_seconds
              AND NOT EXISTS (SELECT 1 FROM ops_stuck_thresholds s WHERE s.saga = i.saga AND s.current_state = i.current_state)
            """,
            $"CREATE VIEW ops_deadlines AS\n{deadlines}",
            """
            CREATE VIEW ops_deadlines_due AS
            SELECT d.saga, d.correlation_id, d.current_state, d.deadline, d.due_at, d.seconds_overdue,
                   c.claimed_at AS fired_at, c.claimed_by AS fired_by, c.message_id AS event_message_id
            FROM ops_deadlines d
            LEFT JOIN deadline_claims c
              ON c.saga = d.saga AND c.correlation_id = d.correlation_id AND c.deadline = d.deadline AND c.due_at = d.due_at
            WHERE d.seconds_overdue >= 0
            """,
            """
            CREATE VIEW ops_outbox_backlog AS
            SELECT p."partition", p.owner, p.lease_until, p.last_dispatch_at,
                   COUNT(m.sequence_number) AS pending, MIN(m.created_at) AS oldest_pending_at, COALESCE(MAX(m.attempts), 0) AS most_attempts
            FROM outbox_partitions p
            LEFT JOIN outbox_messages m ON m."partition" = p."partition" AND m.delivered_at IS NULL
            GROUP BY p."partition", p.owner, p.lease_until, p.last_dispatch_at
            """,
        ];
        return [.. statements.Select(s => sql.Batch(s) + ";")];
    }

    /// <summary>
    /// A CREATE VIEW statement of a flow's own operator view, in the migration provider's form (SQL Server runs it in a
    /// batch of its own). <paramref name="select"/> may use <c>{seconds_since:column}</c> for the provider's "seconds since
    /// this UTC column" expression.
    /// </summary>
    public static string ViewStatement(string provider, string name, string select)
    {
        ArgumentNullException.ThrowIfNull(select);
        var sql = Dialect.For(provider);
        var body = System.Text.RegularExpressions.Regex.Replace(select, @"\{seconds_since:([a-z_]+)\}", m => sql.SecondsSince(m.Groups[1].Value));
        return sql.Batch($"CREATE VIEW {name} AS\n{body}") + ";";
    }

    private sealed record Dialect(Func<string, string> SecondsSince, Func<string, string> Null)
    {
        /// <summary>SQL Server wants CREATE VIEW first in its batch, which an idempotent script's IF cannot give it.</summary>
        public Func<string, string> Batch { get; init; } = statement => statement;

        public static Dialect For(string provider) => provider switch
        {
            "Npgsql.EntityFrameworkCore.PostgreSQL" => new(
                column => $"CAST(EXTRACT(EPOCH FROM (now() - {column})) AS bigint)",
                type => $"CAST(NULL AS {type switch { "text" => "varchar(128)", "uuid" => "uuid", "time" => "timestamp with time zone", _ => "bigint" }})"),
            "Microsoft.EntityFrameworkCore.SqlServer" => new(
                column => $"DATEDIFF_BIG(SECOND, {column}, SYSUTCDATETIME())",
                type => $"CAST(NULL AS {type switch { "text" => "nvarchar(128)", "uuid" => "uniqueidentifier", "time" => "datetime2", _ => "bigint" }})")
            {
                Batch = statement => $"EXEC(N'{statement.Replace("'", "''", StringComparison.Ordinal)}')",
            },
            "Microsoft.EntityFrameworkCore.Sqlite" => new(
                column => $"CAST((julianday('now') - julianday({column})) * 86400 AS INTEGER)",
                _ => "NULL"),
            _ => throw new NotSupportedException($"No operator views for the database provider '{provider}'."),
        };
    }
}
