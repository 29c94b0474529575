using S4AL.Annotation.Web;

namespace S4AL.Annotation.Web.Tests;

public class LeaseBookTests
{
    static readonly AnnotationRound Round = FakeRounds.Round;

    [Fact]
    public void Two_sessions_get_different_regions_and_a_session_keeps_its_own_on_a_reload()
    {
        var leases = new LeaseBook(TimeSpan.FromMinutes(5), new ManualTime());
        var a = leases.Next(Round, "session-a")!;
        var b = leases.Next(Round, "session-b")!;
        Assert.NotEqual(a.Key, b.Key);
        Assert.Equal(a.Key, leases.Next(Round, "session-a")!.Key);
        Assert.True(leases.IsHeldByOther(Round, "session-b", a.Key));
        Assert.Equal(2, leases.InProgress(Round));
    }

    [Fact]
    public void A_lease_that_runs_out_lets_another_session_take_the_region()
    {
        var time = new ManualTime();
        var leases = new LeaseBook(TimeSpan.FromMinutes(5), time);
        var a = leases.Next(Round, "session-a")!;
        time.Now += TimeSpan.FromMinutes(4);
        Assert.NotEqual(a.Key, leases.Next(Round, "session-b")!.Key);
        time.Now += TimeSpan.FromMinutes(2);
        // session-b still holds its own; a third session gets the one that ran out.
        Assert.Equal(a.Key, leases.Next(Round, "session-c")!.Key);
    }

    [Fact]
    public void A_skipped_region_comes_back_to_its_session_last_and_to_others_at_once()
    {
        var leases = new LeaseBook(TimeSpan.FromMinutes(5), new ManualTime());
        var first = leases.Next(Round, "session-a")!;
        leases.Skip(Round, "session-a", first.Key);
        Assert.Equal(first.Key, leases.Next(Round, "session-b")!.Key);
        var order = new List<RegionKey>();
        for (int i = 0; i < 3; i++)
        {
            var next = leases.Next(Round, "session-a");
            if (next is null) break;
            order.Add(next.Key);
            leases.Submitted(Round, next.Key);
        }
        Assert.DoesNotContain(first.Key, order);
        Assert.Null(leases.Next(Round, "session-a"));
    }

    [Fact]
    public void Labeled_and_submitted_regions_leave_the_queue_and_a_new_round_forgets_the_leases()
    {
        var leases = new LeaseBook(TimeSpan.FromMinutes(5), new ManualTime());
        var labeled = Round with { Labels = new Dictionary<RegionKey, RoundLabel> { [new RegionKey(7, 0)] = new("ana", 3) } };
        var a = leases.Next(labeled, "session-a")!;
        Assert.NotEqual(new RegionKey(7, 0), a.Key);
        leases.Submitted(labeled, a.Key);
        Assert.NotEqual(a.Key, leases.Next(labeled, "session-a")!.Key);

        var nextCycle = Round with { Cycle = 4 };
        Assert.Equal(new RegionKey(7, 0), leases.Next(nextCycle, "session-b")!.Key);
    }
}
