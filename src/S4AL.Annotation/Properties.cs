using System.Runtime.CompilerServices;

// The tests check the colour map, the input file checks and the query checks directly.
[assembly: InternalsVisibleTo("S4AL.Annotation.Tests")]
