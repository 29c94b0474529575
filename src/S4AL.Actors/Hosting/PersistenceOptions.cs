using Akka.Configuration;

namespace S4AL.Actors.Hosting;

/// <summary>
/// Where the coordinator's journal and snapshots live (Akka.Persistence.Sql through linq2db):
/// SQLite in the run folder by default, PostgreSQL for a cluster.
/// </summary>
public sealed record PersistenceOptions(string ConnectionString, string ProviderName)
{
    /// <summary>linq2db's provider for Microsoft.Data.Sqlite.</summary>
    public const string SqliteProvider = "SQLite.MS";
    public const string PostgreSqlProvider = "PostgreSQL.15";

    public static PersistenceOptions Sqlite(string databaseFile) =>
        new($"Data Source={Path.GetFullPath(databaseFile)};Pooling=false", SqliteProvider);

    public static PersistenceOptions PostgreSql(string connectionString) => new(connectionString, PostgreSqlProvider);

    public Config ToHocon()
    {
        var cs = Quote(ConnectionString);
        var provider = Quote(ProviderName);
        return ConfigurationFactory.ParseString($$"""
            akka.persistence {
              journal {
                plugin = "akka.persistence.journal.sql"
                sql {
                  connection-string = {{cs}}
                  provider-name = {{provider}}
                  auto-initialize = true
                }
              }
              snapshot-store {
                plugin = "akka.persistence.snapshot-store.sql"
                sql {
                  connection-string = {{cs}}
                  provider-name = {{provider}}
                  auto-initialize = true
                }
              }
            }
            """).WithFallback(Akka.Persistence.Sql.SqlPersistence.DefaultConfiguration);
    }

    /// <summary>A HOCON string literal (quoted, backslashes and quotes escaped).</summary>
    public static string Quote(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
