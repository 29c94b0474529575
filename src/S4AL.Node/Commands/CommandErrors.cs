namespace S4AL.Node.Commands;

/// <summary>Turns expected failures (bad options, bad files) into one line on stderr and a non-zero exit code, without a stack trace.</summary>
public static class CommandErrors
{
    /// <summary>The message without .NET's " (Parameter 'x')" suffix, which means nothing to a user.</summary>
    public static string MessageOf(Exception e) =>
        e is ArgumentException { ParamName: { } name } ? e.Message.Replace($" (Parameter '{name}')", "") : e.Message;

    public static int Guard(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is UsageException or ArgumentException or FileNotFoundException or DirectoryNotFoundException or InvalidDataException or IOException)
        {
            Console.Error.WriteLine($"s4al: error: {MessageOf(e)}");
            return e is UsageException or ArgumentException ? 2 : 1;
        }
    }
}
