using System.Linq.Expressions;
using StockSync.Inventory;

namespace StockSync.Persistence.Ledger;

/// <summary>
/// Finds rows by exact SKU × location pairs, on every provider: <c>(sku = @p0 AND location = @p1) OR …</c>, a primary-key
/// probe per pair. The obvious <c>skus.Contains(sku) &amp;&amp; locations.Contains(location)</c> matches the cross product
/// instead: a batch of 200 movements over 200 SKUs and 200 locations reads up to 40,000 positions to use 200 of them.
/// </summary>
internal static class StockKeyFilter
{
    /// <summary>Pairs per query: 2 parameters each, well under SQL Server's 2,100.</summary>
    public const int ChunkSize = 256;

    /// <summary>
    /// <paramref name="keys"/> in chunks of at most <see cref="ChunkSize"/>, each as one filter on <paramref name="source"/>.
    /// The values are parameters, not literals, and a chunk is padded (with its last pair again) to the next power of
    /// two: there are only nine shapes of the query, which EF Core compiles once each and then takes from its cache.
    /// Without the padding every batch size is a new query to compile, which cost more than running it.
    /// </summary>
    public static IEnumerable<IQueryable<T>> WhereKeyIn<T>(
        this IQueryable<T> source, IEnumerable<StockKey> keys, Expression<Func<T, string>> sku, Expression<Func<T, string>> location)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(sku);
        ArgumentNullException.ThrowIfNull(location);
        var row = Expression.Parameter(typeof(T), "row");
        var skuOf = new Rebind(sku.Parameters[0], row).Visit(sku.Body);
        var locationOf = new Rebind(location.Parameters[0], row).Visit(location.Body);
        foreach (var chunk in keys.Distinct().Chunk(ChunkSize))
        {
            Expression? any = null;
            var padded = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)chunk.Length);
            foreach (var key in chunk.Concat(Enumerable.Repeat(chunk[^1], padded - chunk.Length)))
            {
                var pair = Expression.AndAlso(
                    Expression.Equal(skuOf, Parameter(key.Sku)),
                    Expression.Equal(locationOf, Parameter(key.LocationId)));
                any = any is null ? pair : Expression.OrElse(any, pair);
            }

            yield return source.Where(Expression.Lambda<Func<T, bool>>(any!, row));
        }
    }

    /// <summary>
    /// The value as a variable captured by a lambda, which EF Core sends as a parameter. EF Core inlines other constants
    /// into the SQL (and into its query cache key, so every batch would compile a new query).
    /// </summary>
    private static Expression Parameter(string value)
    {
        Expression<Func<string>> captured = () => value;
        return captured.Body;
    }

    private sealed class Rebind(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }
}
