using System.Collections;
using System.Reflection;
using MessagePack;

namespace S4AL.Actors.Tests.Serialization;

/// <summary>
/// Field-by-field comparison over the MessagePack contract ([Key] members), because records
/// holding arrays compare their arrays by reference.
/// </summary>
static class Structural
{
    public static PropertyInfo[] KeyMembers(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetCustomAttribute<KeyAttribute>() is not null).ToArray();

    static bool IsScalar(Type type) => type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal);

    public static void AssertEqual(object? expected, object? actual, string path)
    {
        if (expected is null || actual is null)
        {
            Assert.True(expected is null && actual is null, $"{path}: expected {expected ?? "null"}, got {actual ?? "null"}");
            return;
        }
        var type = expected.GetType();
        Assert.True(type == actual.GetType(), $"{path}: expected a {type.Name}, got a {actual.GetType().Name}");
        if (IsScalar(type))
        {
            Assert.True(expected.Equals(actual), $"{path}: expected {expected}, got {actual}");
            return;
        }
        if (expected is IEnumerable items)
        {
            var x = items.Cast<object?>().ToList();
            var y = ((IEnumerable)actual).Cast<object?>().ToList();
            Assert.True(x.Count == y.Count, $"{path}: expected {x.Count} items, got {y.Count}");
            for (int i = 0; i < x.Count; i++) AssertEqual(x[i], y[i], $"{path}[{i}]");
            return;
        }
        foreach (var p in KeyMembers(type)) AssertEqual(p.GetValue(expected), p.GetValue(actual), $"{path}.{p.Name}");
    }

    /// <summary>Fails on a null, zero, false, empty or first-enum-value member anywhere in the contract (array elements of scalar type excepted).</summary>
    public static void AssertFilled(object? value, string path)
    {
        Assert.True(value is not null, $"{path} is null");
        var type = value.GetType();
        if (value is string s)
        {
            Assert.True(s.Length > 0, $"{path} is empty");
            return;
        }
        if (IsScalar(type))
        {
            Assert.False(value.Equals(Activator.CreateInstance(type)), $"{path} is {value}, the default of {type.Name}");
            return;
        }
        if (value is IEnumerable items)
        {
            var list = items.Cast<object?>().ToList();
            Assert.True(list.Count > 0, $"{path} is empty");
            for (int i = 0; i < list.Count; i++)
                if (list[i] is null || !IsScalar(list[i]!.GetType())) AssertFilled(list[i], $"{path}[{i}]");
            return;
        }
        foreach (var p in KeyMembers(type)) AssertFilled(p.GetValue(value), $"{path}.{p.Name}");
    }
}
