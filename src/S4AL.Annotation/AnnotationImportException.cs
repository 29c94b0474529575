namespace S4AL.Annotation;

/// <summary>
/// An annotation file that cannot be imported. The message is one line naming the file (and the
/// pixel, task or field) and the cause; nothing of the import is kept when it is thrown.
/// </summary>
public sealed class AnnotationImportException : Exception
{
    public AnnotationImportException(string file, string cause, Exception? inner = null)
        : base($"'{file}': {cause}", inner)
    {
        File = file;
    }

    /// <summary>The file (an archive entry as "archive.zip!entry") the error is about.</summary>
    public string File { get; }
}
