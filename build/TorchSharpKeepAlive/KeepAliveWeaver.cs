using Mono.Cecil;
using Mono.Cecil.Cil;
using Mono.Cecil.Rocks;

namespace S4AL.Build.TorchSharpKeepAlive;

/// <summary>
/// Makes TorchSharp keep every managed object whose native handle it passes to libtorch alive
/// until the method that passed it returns.
///
/// Why: TorchSharp's methods read <c>scalar.Handle</c> / <c>tensor.Handle</c> (an IntPtr) and
/// call libtorch with it. After the read the JIT may treat the object as dead, so a garbage
/// collection started by any other thread can queue it for finalization, and the finalizer
/// thread frees the native Scalar or Tensor while libtorch is still reading it. Temporaries are
/// everywhere: <c>t.add_(1)</c> makes the Scalar 1 and, inside TorchSharp, a second temporary
/// alpha; BatchNorm's own forward runs <c>num_batches_tracked.add_(1)</c>. The symptoms seen here:
/// "Unknown scalar type", "argument alpha must not be a floating point number" (the freed
/// memory already reused by a double), and, on float tensors, silently wrong values.
///
/// The fix is TorchSharp's own code with <c>GC.KeepAlive</c> where it was missing, applied to
/// the package's assembly at build time rather than to a copy of its sources: in every method
/// with a body,
/// - every object whose handle the method reads (a call of a <c>get_Handle</c> getter, or a
///   load of an IntPtr field, on a class) is also stored in a new local, and
/// - that local, <c>this</c>, every reference-typed argument and every reference-typed local
///   are passed to <c>GC.KeepAlive</c> before each return.
/// So an object handed to libtorch is reachable until the method that handed it over returns,
/// which is after the native call. <c>GC.KeepAlive</c> is a JIT intrinsic: it costs no
/// instruction, it only extends the reported lifetime.
/// </summary>
public static class KeepAliveWeaver
{
    /// <summary>Assembly metadata key that marks a woven TorchSharp; its value is <see cref="Version"/>.</summary>
    public const string MarkerKey = "S4AL.TorchSharpKeepAlive";
    /// <summary>Bump when the weaving rules change, so that builds re-weave.</summary>
    public const string Version = "1";

    public sealed record Statistics(int Methods, int HandleReads, int Returns);

    /// <summary>Weaves <paramref name="module"/> in place; throws if it is already woven.</summary>
    public static Statistics Weave(ModuleDefinition module)
    {
        if (WovenVersion(module) is { } v)
            throw new InvalidOperationException($"{module.FileName}: already woven (version {v})");
        var keepAlive = KeepAliveReference(module);
        var objectType = module.TypeSystem.Object;
        int methods = 0, reads = 0, returns = 0;
        foreach (var type in AllTypes(module))
        foreach (var method in type.Methods)
        {
            if (!method.HasBody || HasTailCall(method.Body)) continue;
            var body = method.Body;
            body.SimplifyMacros();
            var il = body.GetILProcessor();
            var kept = new List<VariableDefinition>();

            // Each object whose handle is read is copied to a local of its own.
            foreach (var read in body.Instructions.Where(ReadsNativeHandle).ToList())
            {
                var local = new VariableDefinition(objectType);
                body.Variables.Add(local);
                kept.Add(local);
                // Turn the read itself into the dup, so branches that targeted it still run the copy.
                var original = il.Create(OpCodes.Nop);
                original.OpCode = read.OpCode;
                original.Operand = read.Operand;
                read.OpCode = OpCodes.Dup;
                read.Operand = null;
                il.InsertAfter(read, original);
                il.InsertAfter(read, Instruction.Create(OpCodes.Stloc, local));
                reads++;
            }

            var loads = new List<Func<Instruction>>();
            if (method.HasThis && !type.IsValueType) loads.Add(() => Instruction.Create(OpCodes.Ldarg_0));
            foreach (var parameter in method.Parameters.Where(x => IsReference(x.ParameterType)))
                loads.Add(() => Instruction.Create(OpCodes.Ldarg, parameter));
            foreach (var variable in body.Variables.Where(x => !x.IsPinned && IsReference(x.VariableType)).ToList())
                loads.Add(() => Instruction.Create(OpCodes.Ldloc, variable));
            if (loads.Count == 0) { body.OptimizeMacros(); continue; }

            foreach (var ret in body.Instructions.Where(i => i.OpCode == OpCodes.Ret).ToList())
            {
                // The ret becomes the first load (branches to it keep working); a new ret ends the sequence.
                var sequence = new List<Instruction>();
                foreach (var load in loads)
                {
                    sequence.Add(load());
                    sequence.Add(Instruction.Create(OpCodes.Call, keepAlive));
                }
                sequence.Add(Instruction.Create(OpCodes.Ret));
                ret.OpCode = sequence[0].OpCode;
                ret.Operand = sequence[0].Operand;
                var at = ret;
                foreach (var next in sequence.Skip(1))
                {
                    il.InsertAfter(at, next);
                    at = next;
                }
                returns++;
            }
            body.OptimizeMacros();
            methods++;
        }
        var marker = new CustomAttribute(module.ImportReference(
            typeof(System.Reflection.AssemblyMetadataAttribute).GetConstructor([typeof(string), typeof(string)])));
        marker.ConstructorArguments.Add(new CustomAttributeArgument(module.TypeSystem.String, MarkerKey));
        marker.ConstructorArguments.Add(new CustomAttributeArgument(module.TypeSystem.String, Version));
        module.Assembly.CustomAttributes.Add(marker);
        return new Statistics(methods, reads, returns);
    }

    /// <summary>The weaving version recorded in the module, or null if it was not woven.</summary>
    public static string? WovenVersion(ModuleDefinition module) =>
        module.Assembly.CustomAttributes
            .Where(a => a.AttributeType.FullName == typeof(System.Reflection.AssemblyMetadataAttribute).FullName
                        && a.ConstructorArguments.Count == 2 && (string)a.ConstructorArguments[0].Value == MarkerKey)
            .Select(a => (string)a.ConstructorArguments[1].Value)
            .FirstOrDefault();

    /// <summary>
    /// Methods that read a native handle and can reach a return without passing the object to
    /// <c>GC.KeepAlive</c> after the read: empty for a woven module. Checks the shape the
    /// weaver leaves (each read copied to a local that is kept alive at every return), so a
    /// module woven by an older or broken weaver, or not at all, is reported.
    /// </summary>
    public static IReadOnlyList<string> MethodsWithUnprotectedHandleReads(ModuleDefinition module)
    {
        var unprotected = new List<string>();
        foreach (var type in AllTypes(module))
        foreach (var method in type.Methods)
        {
            if (!method.HasBody || HasTailCall(method.Body)) continue;
            var instructions = method.Body.Instructions;
            var copies = new List<VariableDefinition>();
            bool ok = true;
            for (int i = 0; i < instructions.Count && ok; i++)
            {
                if (!ReadsNativeHandle(instructions[i])) continue;
                // dup; stloc copy; <read>
                var copy = i >= 2 && instructions[i - 2].OpCode == OpCodes.Dup ? StoredLocal(instructions[i - 1], method.Body) : null;
                if (copy is null) ok = false;
                else copies.Add(copy);
            }
            if (ok && copies.Count > 0)
            {
                foreach (var ret in instructions.Where(i => i.OpCode == OpCodes.Ret))
                {
                    var keptBefore = new HashSet<VariableDefinition>();
                    for (var p = ret.Previous; p?.Previous is { } load && p.OpCode == OpCodes.Call && IsKeepAlive(p.Operand); p = load.Previous)
                        if (LoadedLocal(load, method.Body) is { } local) keptBefore.Add(local);
                    if (!copies.All(keptBefore.Contains)) { ok = false; break; }
                }
            }
            if (!ok) unprotected.Add(method.FullName);
        }
        return unprotected;
    }

    static bool IsKeepAlive(object operand) =>
        operand is MethodReference m && m.Name == nameof(GC.KeepAlive) && m.DeclaringType.FullName == "System.GC";

    static VariableDefinition? StoredLocal(Instruction i, MethodBody body) => i.OpCode.Code switch
    {
        Code.Stloc_0 => body.Variables[0],
        Code.Stloc_1 => body.Variables[1],
        Code.Stloc_2 => body.Variables[2],
        Code.Stloc_3 => body.Variables[3],
        Code.Stloc or Code.Stloc_S => (VariableDefinition)i.Operand,
        _ => null,
    };

    static VariableDefinition? LoadedLocal(Instruction i, MethodBody body) => i.OpCode.Code switch
    {
        Code.Ldloc_0 => body.Variables[0],
        Code.Ldloc_1 => body.Variables[1],
        Code.Ldloc_2 => body.Variables[2],
        Code.Ldloc_3 => body.Variables[3],
        Code.Ldloc or Code.Ldloc_S => (VariableDefinition)i.Operand,
        _ => null,
    };

    /// <summary>A read of a native handle from an object (not from a struct or a managed pointer).</summary>
    static bool ReadsNativeHandle(Instruction i)
    {
        // After a prefix (constrained., volatile., ...) nothing may be inserted; TorchSharp has no such handle read.
        if (i.Previous is { } p && p.OpCode.OpCodeType == OpCodeType.Prefix) return false;
        if ((i.OpCode == OpCodes.Call || i.OpCode == OpCodes.Callvirt) && i.Operand is MethodReference m)
            return m.Name == "get_Handle" && m.HasThis && !m.DeclaringType.IsValueType && IsClass(m.DeclaringType);
        if (i.OpCode == OpCodes.Ldfld && i.Operand is FieldReference f)
            return f.FieldType.FullName == "System.IntPtr" && IsClass(f.DeclaringType);
        return false;
    }

    /// <summary>A class of TorchSharp itself (external types are not resolved: their handles are not TorchSharp's to keep).</summary>
    static bool IsClass(TypeReference type) =>
        type.GetElementType() is TypeDefinition definition && definition.IsClass && !definition.IsValueType && !definition.IsInterface;

    static bool IsReference(TypeReference type) =>
        !type.IsValueType && !type.IsByReference && !type.IsPointer && !type.IsGenericParameter && !type.IsFunctionPointer
        && type is not RequiredModifierType && type is not OptionalModifierType && type.FullName != "System.TypedReference";

    static bool HasTailCall(MethodBody body) => body.Instructions.Any(i => i.OpCode == OpCodes.Tail);

    static IEnumerable<TypeDefinition> AllTypes(ModuleDefinition module)
    {
        static IEnumerable<TypeDefinition> With(TypeDefinition t) => t.NestedTypes.SelectMany(With).Prepend(t);
        return module.Types.SelectMany(With);
    }

    /// <summary>System.GC.KeepAlive(object), referenced through the module's own core library (System.Runtime).</summary>
    static MethodReference KeepAliveReference(ModuleDefinition module)
    {
        var gc = new TypeReference("System", "GC", module, module.TypeSystem.CoreLibrary);
        var method = new MethodReference(nameof(GC.KeepAlive), module.TypeSystem.Void, gc) { HasThis = false };
        method.Parameters.Add(new ParameterDefinition(module.TypeSystem.Object));
        return module.ImportReference(method);
    }
}
