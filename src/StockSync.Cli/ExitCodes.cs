namespace StockSync.Cli;

/// <summary>The CLI's exit codes, for scripts.</summary>
public static class ExitCodes
{
    /// <summary>The command did what it was asked.</summary>
    public const int Success = 0;

    /// <summary>The host answered with an error (its problem details are printed to stderr).</summary>
    public const int HostError = 1;

    /// <summary>The command line is wrong (unknown command or option, a missing or malformed value).</summary>
    public const int Usage = 2;

    /// <summary>The host could not be reached.</summary>
    public const int Unreachable = 3;
}
