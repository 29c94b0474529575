using Mono.Cecil;
using S4AL.Build.TorchSharpKeepAlive;

// usage: TorchSharpKeepAlive <TorchSharp.dll from the package> <woven TorchSharp.dll to write>
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: TorchSharpKeepAlive <input TorchSharp.dll> <output TorchSharp.dll>");
    return 2;
}
var (input, output) = (Path.GetFullPath(args[0]), Path.GetFullPath(args[1]));
if (!File.Exists(input))
{
    Console.Error.WriteLine($"TorchSharpKeepAlive: error: {input} not found");
    return 1;
}
Directory.CreateDirectory(Path.GetDirectoryName(output)!);
var temporary = output + ".s4al-tmp";
using (var module = ModuleDefinition.ReadModule(input, new ReaderParameters { ReadSymbols = false }))
{
    var stats = KeepAliveWeaver.Weave(module);
    var left = KeepAliveWeaver.MethodsWithUnprotectedHandleReads(module);
    if (left.Count > 0)
    {
        Console.Error.WriteLine($"TorchSharpKeepAlive: error: {left.Count} methods still read native handles unprotected, e.g. {left[0]}");
        return 1;
    }
    module.Write(temporary);
    Console.WriteLine($"TorchSharpKeepAlive: {Path.GetFileName(input)} -> {output}: {stats.Methods} methods, {stats.HandleReads} handle reads kept alive, {stats.Returns} returns");
}
File.Move(temporary, output, overwrite: true);
return 0;
