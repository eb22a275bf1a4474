using MassTransit;
using MassTransit.Context;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;

namespace StockSync.Persistence.Sagas;

/// <summary>
/// One message's view of the saga table: add, insert (pre-insert for racing first events), load, save, update and
/// delete, all on the message scope's <see cref="StockSyncDbContext"/> inside the factory's transaction.
/// </summary>
internal sealed class DbSagaRepositoryContext<TSaga, TMessage> :
    ConsumeContextScope<TMessage>,
    SagaRepositoryContext<TSaga, TMessage>
    where TSaga : StockSyncSagaState
    where TMessage : class
{
    private readonly StockSyncDbContext _db;
    private readonly ConsumeContext<TMessage> _consumeContext;
    private readonly ISagaConsumeContextFactory<StockSyncDbContext, TSaga> _factory;
    private readonly SagaRepositoryOptions<TSaga> _options;

    public DbSagaRepositoryContext(
        StockSyncDbContext db,
        ConsumeContext<TMessage> consumeContext,
        ISagaConsumeContextFactory<StockSyncDbContext, TSaga> factory,
        SagaRepositoryOptions<TSaga> options)
        : base(consumeContext, db)
    {
        _db = db;
        _consumeContext = consumeContext;
        _factory = factory;
        _options = options;
    }

    public Task<SagaConsumeContext<TSaga, TMessage>> Add(TSaga instance) =>
        _factory.CreateSagaConsumeContext(_db, _consumeContext, instance, SagaConsumeContextMode.Add);

    public async Task<SagaConsumeContext<TSaga, TMessage>> Insert(TSaga instance)
    {
        var entry = _db.Set<TSaga>().Add(instance);
        try
        {
            // Inside the transaction EF Core saves to a savepoint, so a duplicate key (another first event won the
            // race) rolls back only this insert; MassTransit then loads the winner's row.
            await _db.SaveChangesAsync(CancellationToken).ConfigureAwait(false);
            return await _factory.CreateSagaConsumeContext(_db, _consumeContext, instance, SagaConsumeContextMode.Insert).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            entry.State = EntityState.Detached;
            return default!;
        }
    }

    public async Task<SagaConsumeContext<TSaga, TMessage>> Load(Guid correlationId)
    {
        var instance = await _db.Set<TSaga>().SingleOrDefaultAsync(s => s.CorrelationId == correlationId, CancellationToken).ConfigureAwait(false);
        return instance is null
            ? default!
            : await _factory.CreateSagaConsumeContext(_db, _consumeContext, instance, SagaConsumeContextMode.Load).ConfigureAwait(false);
    }

    public async Task Save(SagaConsumeContext<TSaga> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _db.Set<TSaga>().Add(context.Saga);
        await _db.SaveChangesAsync(CancellationToken).ConfigureAwait(false);
    }

    public Task Update(SagaConsumeContext<TSaga> context) => _db.SaveChangesAsync(CancellationToken);

    public async Task Delete(SagaConsumeContext<TSaga> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!_options.KeepFinalizedInstances)
        {
            _db.Set<TSaga>().Remove(context.Saga);
        }

        await _db.SaveChangesAsync(CancellationToken).ConfigureAwait(false);
    }

    public Task Discard(SagaConsumeContext<TSaga> context) => Task.CompletedTask;

    public Task Undo(SagaConsumeContext<TSaga> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var entry = _db.ChangeTracker.Entries<TSaga>().FirstOrDefault(e => e.Entity.CorrelationId == context.Saga.CorrelationId);
        if (entry is not null)
        {
            entry.State = EntityState.Unchanged;
        }

        return Task.CompletedTask;
    }

    public Task<SagaConsumeContext<TSaga, T>> CreateSagaConsumeContext<T>(ConsumeContext<T> consumeContext, TSaga instance, SagaConsumeContextMode mode)
        where T : class => _factory.CreateSagaConsumeContext(_db, consumeContext, instance, mode);
}

/// <summary>Read-only access to a saga table, for MassTransit's load and query repositories (operators' tools, request clients).</summary>
internal sealed class ReadOnlySagaRepositoryContext<TSaga>(StockSyncDbContext db, CancellationToken cancellationToken) :
    MassTransit.Middleware.BasePipeContext(cancellationToken),
    QuerySagaRepositoryContext<TSaga>,
    LoadSagaRepositoryContext<TSaga>
    where TSaga : StockSyncSagaState
{
    public Task<TSaga> Load(Guid correlationId) =>
        db.Set<TSaga>().AsNoTracking().SingleOrDefaultAsync(s => s.CorrelationId == correlationId, CancellationToken)!;

    public async Task<SagaRepositoryQueryContext<TSaga>> Query(ISagaQuery<TSaga> query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var ids = await db.Set<TSaga>().AsNoTracking().Where(query.FilterExpression).Select(s => s.CorrelationId)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return new DefaultSagaRepositoryQueryContext<TSaga>(this, ids);
    }
}
