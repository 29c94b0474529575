using S4AL.Learning;
using S4AL.Node;

// Before the first tensor: how glibc returns freed tensor memory decides how many page faults
// every training step pays (see NativeHeap).
try
{
    NativeHeap.Configure();
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"s4al: error: {e.Message}");
    return 2;
}

return await S4alCli.Create().Parse(args).InvokeAsync();
