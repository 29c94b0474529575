using System.Runtime.CompilerServices;

// The tests check the atomic-write helper and the image layout directly.
[assembly: InternalsVisibleTo("S4AL.Reporting.Tests")]
