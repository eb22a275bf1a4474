namespace StockSync.IntegrationTests.Infrastructure;

/// <summary>
/// The real RabbitMQ and PostgreSQL the tests use, as started by <c>deploy/test.sh</c> (it exports these variables).
/// A test that needs them fails with instructions when they are missing: it is never skipped.
/// </summary>
public static class TestEnvironment
{
    public static string RabbitHost => Require("STOCKSYNC_TEST_RABBITMQ_HOST");

    public static int RabbitPort => int.Parse(Require("STOCKSYNC_TEST_RABBITMQ_PORT"), System.Globalization.CultureInfo.InvariantCulture);

    public static string RabbitUser => Require("STOCKSYNC_TEST_RABBITMQ_USER");

    public static string RabbitPassword => Require("STOCKSYNC_TEST_RABBITMQ_PASSWORD");

    public static Uri RabbitManagementUrl => new(Require("STOCKSYNC_TEST_RABBITMQ_MANAGEMENT_URL"));

    public static string PostgresAdminConnectionString => Require("STOCKSYNC_TEST_POSTGRES");

    private static string Require(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{name} is not set. Integration tests run against real RabbitMQ and PostgreSQL: run them with `deploy/test.sh`, which installs and starts both on loopback and sets the STOCKSYNC_TEST_* variables.");
}
