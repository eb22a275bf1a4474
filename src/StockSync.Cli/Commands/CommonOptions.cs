using System.CommandLine;

namespace StockSync.Cli.Commands;

/// <summary>Options several commands share: <c>--limit</c>, <c>--saga</c>.</summary>
internal static class CommonOptions
{
    /// <summary>The saga table names the host knows, for help texts.</summary>
    public const string SagaNames = "click_and_collect_sagas, order_fulfillment_sagas, return_inspection_sagas, marketplace_order_sagas";

    /// <summary><c>--limit N</c>, between 1 and <paramref name="max"/>.</summary>
    public static Option<int?> Limit(string description, int max = 1000)
    {
        var option = new Option<int?>("--limit") { Description = description, HelpName = "N" };
        return option.Between(1, max);
    }

    /// <summary>Refuses a number outside [<paramref name="min"/>, <paramref name="max"/>] (a token that is no number is refused by the parser).</summary>
    public static Option<int?> Between(this Option<int?> option, int min, int max)
    {
        option.Validators.Add(result =>
        {
            if (result.Tokens is [var token] && int.TryParse(token.Value, System.Globalization.CultureInfo.InvariantCulture, out var value) && (value < min || value > max))
            {
                result.AddError($"{option.Name} must be between {min} and {max}.");
            }
        });
        return option;
    }

    /// <summary><c>--saga NAME</c>: one saga's table name.</summary>
    public static Option<string> Saga() => new("--saga")
    {
        Description = $"Only this saga (its table name: {SagaNames}).",
        HelpName = "SAGA",
    };

    /// <summary>A command with its options and arguments.</summary>
    public static Command With(this Command command, params Symbol[] symbols)
    {
        foreach (var symbol in symbols)
        {
            switch (symbol)
            {
                case Option option:
                    command.Options.Add(option);
                    break;
                case Argument argument:
                    command.Arguments.Add(argument);
                    break;
                case Command subcommand:
                    command.Subcommands.Add(subcommand);
                    break;
                default:
                    throw new ArgumentException($"Cannot add {symbol.GetType().Name} {symbol.Name}.", nameof(symbols));
            }
        }

        return command;
    }
}
