using System.Runtime.CompilerServices;

// Annotation files are checked from their PNG header (PngHeader) before any pixel is decoded.
[assembly: InternalsVisibleTo("S4AL.Annotation")]
