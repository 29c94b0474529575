using System.Reflection;
using Mono.Cecil;
using Mono.Cecil.Cil;
using S4AL.Build.TorchSharpKeepAlive;
using static TorchSharp.torch;

namespace S4AL.Learning.Tests.Runtime;

/// <summary>
/// The TorchSharp every project runs is the package's assembly with GC.KeepAlive woven in
/// (build/TorchSharpKeepAlive); FinalizerStormTests show what that prevents. These tests keep
/// the build from silently shipping the unwoven assembly.
/// </summary>
public class WovenTorchSharpTests
{
    static string PackageAssembly() =>
        typeof(WovenTorchSharpTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "PackageTorchSharp").Value!;

    static ModuleDefinition Read(string path) => ModuleDefinition.ReadModule(path, new ReaderParameters { ReadSymbols = false });

    [Fact]
    public void The_TorchSharp_in_use_is_woven_and_every_handle_read_is_kept_alive()
    {
        var loaded = typeof(Tensor).Assembly;
        Assert.Equal(KeepAliveWeaver.Version,
            loaded.GetCustomAttributes<AssemblyMetadataAttribute>().SingleOrDefault(a => a.Key == KeepAliveWeaver.MarkerKey)?.Value);
        using var module = Read(loaded.Location);
        Assert.Empty(KeepAliveWeaver.MethodsWithUnprotectedHandleReads(module));
    }

    [Fact]
    public void The_package_assembly_reads_handles_unprotected_and_weaving_protects_them_all()
    {
        using var module = Read(PackageAssembly());
        Assert.Null(KeepAliveWeaver.WovenVersion(module));
        var before = KeepAliveWeaver.MethodsWithUnprotectedHandleReads(module);
        Assert.Contains(before, m => m.Contains("Tensor::add_(TorchSharp.Scalar,TorchSharp.Scalar)"));
        var stats = KeepAliveWeaver.Weave(module);
        Assert.True(stats.HandleReads >= before.Count, $"{stats.HandleReads} reads woven, {before.Count} methods had unprotected ones");
        Assert.Empty(KeepAliveWeaver.MethodsWithUnprotectedHandleReads(module));
        Assert.Equal(KeepAliveWeaver.Version, KeepAliveWeaver.WovenVersion(module));
        Assert.Throws<InvalidOperationException>(() => KeepAliveWeaver.Weave(module));
    }

    [Fact]
    public void A_scalar_operation_keeps_this_and_both_scalars_alive_until_it_returns()
    {
        // The case of the crashes: THSTensor_add_scalar_(Handle, scalar.Handle, alpha.Handle).
        using var module = Read(typeof(Tensor).Assembly.Location);
        var addScalar = module.GetType("TorchSharp.torch/Tensor").Methods
            .Single(m => m.Name == "add_" && m.Parameters.Count == 2 && m.Parameters.All(p => p.ParameterType.Name == "Scalar"));
        var instructions = addScalar.Body.Instructions;
        int native = instructions.ToList().FindIndex(i => i.Operand is MethodReference r && r.Name == "THSTensor_add_scalar_");
        Assert.True(native > 0);
        foreach (var ret in instructions.Where(i => i.OpCode == OpCodes.Ret))
        {
            var keptArguments = new HashSet<int>();
            for (var call = ret.Previous; call is { OpCode.Code: Code.Call, Operand: MethodReference { Name: "KeepAlive" } }; call = call.Previous.Previous)
                if (call.Previous.OpCode.Code is Code.Ldarg_0 or Code.Ldarg_1 or Code.Ldarg_2)
                    keptArguments.Add(call.Previous.OpCode.Code - Code.Ldarg_0);
            Assert.Equal([0, 1, 2], keptArguments.Order());
            Assert.True(instructions.IndexOf(ret) > native);
        }
    }
}
