using MassTransit;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;

namespace StockSync.Persistence.Sagas;

/// <summary>
/// StockSync's EF Core saga repository: MassTransit asks it for a repository context per message; it opens one
/// transaction on the message scope's <see cref="StockSyncDbContext"/> (or joins the transaction already open, for
/// example the outbox's), runs the saga inside it and commits. It serves correlation by id, correlation by query
/// (for example by order id), and the read-only load/query repositories.
/// </summary>
public sealed class SagaRepositoryContextFactory<TSaga>(
    StockSyncDbContext db,
    ISagaConsumeContextFactory<StockSyncDbContext, TSaga> consumeContextFactory,
    SagaRepositoryOptions<TSaga> options) :
    ISagaRepositoryContextFactory<TSaga>,
    IQuerySagaRepositoryContextFactory<TSaga>,
    ILoadSagaRepositoryContextFactory<TSaga>
    where TSaga : StockSyncSagaState
{
    /// <inheritdoc />
    public void Probe(ProbeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Add("persistence", "stocksync-entity-framework");
        context.Add("provider", db.Database.ProviderName ?? "unknown");
    }

    /// <inheritdoc />
    public Task Send<T>(ConsumeContext<T> context, IPipe<SagaRepositoryContext<TSaga, T>> next)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        return InTransactionAsync(() =>
        {
            var repositoryContext = new DbSagaRepositoryContext<TSaga, T>(db, context, consumeContextFactory, options);
            return next.Send(repositoryContext);
        }, context.CancellationToken);
    }

    /// <inheritdoc />
    public Task SendQuery<T>(ConsumeContext<T> context, ISagaQuery<TSaga> query, IPipe<SagaRepositoryQueryContext<TSaga, T>> next)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(next);
        return InTransactionAsync(async () =>
        {
            var instances = await db.Set<TSaga>().Where(query.FilterExpression).ToListAsync(context.CancellationToken).ConfigureAwait(false);
            var repositoryContext = new DbSagaRepositoryContext<TSaga, T>(db, context, consumeContextFactory, options);
            await next.Send(new LoadedSagaRepositoryQueryContext<TSaga, T>(repositoryContext, instances)).ConfigureAwait(false);
        }, context.CancellationToken);
    }

    /// <inheritdoc />
    public Task<TResult> Execute<TResult>(Func<LoadSagaRepositoryContext<TSaga>, Task<TResult>> asyncMethod, CancellationToken cancellationToken = default)
        where TResult : class
    {
        ArgumentNullException.ThrowIfNull(asyncMethod);
        return asyncMethod(new ReadOnlySagaRepositoryContext<TSaga>(db, cancellationToken));
    }

    /// <inheritdoc />
    public Task<TResult> Execute<TResult>(Func<QuerySagaRepositoryContext<TSaga>, Task<TResult>> asyncMethod, CancellationToken cancellationToken = default)
        where TResult : class
    {
        ArgumentNullException.ThrowIfNull(asyncMethod);
        return asyncMethod(new ReadOnlySagaRepositoryContext<TSaga>(db, cancellationToken));
    }

    // Joins the outbox's transaction when the endpoint uses it; otherwise one transaction per message.
    private Task<bool> InTransactionAsync(Func<Task> work, CancellationToken cancellationToken) =>
        db.InTransactionAsync(
            async _ =>
            {
                await work().ConfigureAwait(false);
                return true;
            },
            cancellationToken);
}
