using System.Security.Cryptography;
using System.Text;

namespace S4AL.Learning.ActiveLearning;

/// <summary>
/// Derives independent seeds from the experiment seed and a purpose ("cycle", 3), so that each
/// random stream (initial set, samplers, network init) is reproducible on its own and does
/// not shift when another stream draws more or fewer numbers.
/// </summary>
public static class Seeds
{
    public static int Derive(int seed, string purpose, long index = 0)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{seed}/{purpose}/{index}"));
        return BitConverter.ToInt32(hash, 0) & int.MaxValue;
    }
}
