// Writes the JSON Schema of every message in MessageCatalog.All to contracts/schemas (or --out DIR).
//   new                  no file yet: written
//   updated (compatible) the file differs but nothing breaks: written
//   unchanged            nothing to do
// A breaking change to a published schema is refused: nothing is written and the exit code is 1.
// --check writes nothing and exits 1 when any file would change (for CI).
using StockSync.Contracts;
using StockSync.Contracts.Schemas;

var check = false;
string? outDirectory = null;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--check":
            check = true;
            break;
        case "--out" when i + 1 < args.Length:
            outDirectory = Path.GetFullPath(args[++i]);
            break;
        default:
            Console.Error.WriteLine("Usage: StockSync.Contracts.SchemaExport [--check] [--out DIR]");
            return 2;
    }
}

var directory = outDirectory ?? PublishedSchemas.FindDirectory(AppContext.BaseDirectory);
var results = MessageCatalog.All.Select(type => PublishedSchemas.Check(directory, type)).ToList();

foreach (var result in results)
{
    Console.WriteLine($"{Label(result.State),-22} {Display(result.FilePath)}");
    foreach (var change in result.BreakingChanges)
    {
        Console.WriteLine($"    {change}");
    }
}

var breaking = results.Where(r => r.State == SchemaFileState.Breaking).ToList();
if (breaking.Count > 0)
{
    Console.Error.WriteLine("Refused: the changes above would break published schemas; nothing was written.");
    foreach (var result in breaking)
    {
        Console.Error.WriteLine(PublishedSchemas.BreakingChangeAdvice(result.MessageType));
    }

    return 1;
}

var changed = results.Where(r => r.State != SchemaFileState.Unchanged).ToList();
if (check)
{
    if (changed.Count > 0)
    {
        Console.Error.WriteLine($"{changed.Count} schema file(s) are out of date. Run: {PublishedSchemas.RegenerateCommand}");
        return 1;
    }

    return 0;
}

Directory.CreateDirectory(directory);
foreach (var result in changed)
{
    File.WriteAllText(result.FilePath, result.GeneratedText);
}

return 0;

static string Label(SchemaFileState state) => state switch
{
    SchemaFileState.Unchanged => "unchanged",
    SchemaFileState.New => "new",
    SchemaFileState.UpdatedCompatible => "updated (compatible)",
    _ => "BREAKING",
};

// Paths under the current folder (the repository root, usually) are shown relative to it.
static string Display(string path) =>
    Path.GetRelativePath(Environment.CurrentDirectory, path) is var relative && !relative.StartsWith("..", StringComparison.Ordinal) ? relative : path;
