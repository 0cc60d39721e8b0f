// Diagnostic of pass 8d/8e (not compiled by the build). Run from the repository root after building the harness:
//   java -cp bench/target/classes:$(cat bench/target/bench-classpath.txt) bench/results/session8/IdleSit.java
// It starts 1,000 clusters, prints "started" and sits idle for 60 s. Idle CPU was sampled 15 s after "started", for
// 30 s: a=$(awk '{print $14+$15}' /proc/$PID/stat); sleep 30; b=...; (b - a) * 10 ms / 30 s = share of one core.
import dev.ra.ServerId;
import dev.ra.bench.BenchKv;
import dev.ra.bench.Config;
import dev.ra.bench.Nodes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

public class IdleSit
{
    public static void main(String[] args) throws Exception
    {
        Config config = Config.parse(new String[0]);
        Nodes.Options options = config.nodeOptions().withElection(Duration.ofMillis(1000), Duration.ofMillis(2000))
            .withTick(Duration.ofMillis(1000));
        try (Nodes nodes = new Nodes(3, null, options))
        {
            List<CompletableFuture<ServerId>> started = new ArrayList<>();
            for (int c = 0; c < 1000; c++)
            {
                started.add(nodes.system("n" + (c % 3 + 1)).startClusterAsync("c" + c, BenchKv.NAME, Nodes.members("c" + c, 3)));
            }
            CompletableFuture.allOf(started.toArray(new CompletableFuture[0])).join();
            System.out.println("started");
            Thread.sleep(60000);
        }
        System.exit(0);
    }
}
