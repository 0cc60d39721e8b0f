// Diagnostic of pass 8d/8e (not compiled by the build). Run from the repository root after building the harness:
//   java -cp bench/target/classes:$(cat bench/target/bench-classpath.txt) bench/results/session8/IdleProbe.java
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.bench.BenchKv;
import dev.ra.bench.Config;
import dev.ra.bench.Nodes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

public class IdleProbe
{
    public static void main(String[] args) throws Exception
    {
        Config config = Config.parse(new String[0]);
        Nodes.Options options = config.nodeOptions().withElection(Duration.ofMillis(1000), Duration.ofMillis(2000))
            .withTick(Duration.ofMillis(1000));
        try (Nodes nodes = new Nodes(3, null, options))
        {
            int n = 1000;
            List<CompletableFuture<ServerId>> started = new ArrayList<>();
            for (int c = 0; c < n; c++)
            {
                started.add(nodes.system("n" + (c % 3 + 1)).startClusterAsync("c" + c, BenchKv.NAME, Nodes.members("c" + c, 3)));
            }
            CompletableFuture.allOf(started.toArray(new CompletableFuture[0])).join();
            for (int round = 0; round < 4; round++)
            {
                long before = sum(nodes, n);
                Thread.sleep(5000);
                long after = sum(nodes, n);
                System.out.println("round " + round + ": append_entries_sent in 5 s = " + (after - before));
            }
        }
        System.exit(0);
    }

    static long sum(Nodes nodes, int n)
    {
        long total = 0;
        for (int c = 0; c < n; c++)
        {
            for (ServerId id : Nodes.members("c" + c, 3))
            {
                RaSystem s = nodes.system(id.node());
                Long v = s.overview(id).counters().get("append_entries_sent");
                total += null == v ? 0 : v;
            }
        }
        return total;
    }
}
