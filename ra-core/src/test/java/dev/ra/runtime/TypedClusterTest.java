package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.CommandResult;
import dev.ra.QueryResult;
import dev.ra.RaCluster;
import dev.ra.RaException;
import dev.ra.ServerId;
import dev.ra.testkit.CounterMachine;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The typed cluster handle: the compiler checks commands, replies and query functions against the machine, query
 * lambdas need no parameter types, and the handle does what the untyped calls do.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TypedClusterTest
{
    @TempDir
    Path classes;

    private InJvmCluster cluster;

    @AfterEach
    void close()
    {
        if (null != cluster)
        {
            cluster.close();
        }
    }

    @Test
    void commandsRepliesAndQueriesAreTypedByTheMachine() throws Exception
    {
        cluster = new InJvmCluster(3);
        final RaCluster<Long, Long, Long> counter =
            cluster.first().startCluster("counter", new CounterMachine(), Long.class, cluster.serverIds("counter"));

        final CommandResult<Long> added = counter.process(5L);
        final long total = counter.processAsync(2L).get(30, TimeUnit.SECONDS).reply();
        final QueryResult<Long> doubled = counter.consistentQuery(s -> s * 2);

        assertThat(added.reply()).isEqualTo(5L);
        assertThat(total).isEqualTo(7L);
        assertThat(doubled.result()).isEqualTo(14L);
        assertThat(doubled.leader()).isEqualTo(counter.leader());
        assertThat(counter.localQuery(s -> s, Duration.ofSeconds(5)).result()).isLessThanOrEqualTo(7L);

        final RaCluster<Object, Map<String, String>, String> kv =
            cluster.first().startCluster("kv", new KvMachine(), String.class, cluster.serverIds("kv"));
        kv.process(new KvMachine.Put("a", "1"));
        final QueryResult<String> a = kv.consistentQuery(s -> s.get("a"));
        assertThat(a.result()).isEqualTo("1");
        assertThat(kv.<String>namedQuery("get", "a", false).result()).isEqualTo("1");
    }

    @Test
    void aReplyOfAnotherTypeThanDeclaredFailsTheCallNamingBothTypes()
    {
        cluster = new InJvmCluster(1);
        final RaCluster<Long, Long, String> wrong =
            cluster.first().startCluster("counter", new CounterMachine(), String.class, cluster.serverIds("counter"));

        assertThatThrownBy(() -> wrong.process(1L)).isInstanceOf(RaException.class)
            .hasMessageContaining("java.lang.Long").hasMessageContaining("java.lang.String");
    }

    /**
     * {@code long.class} is a {@code Class<Long>} to the compiler, so a handle made with it compiles as one made with
     * {@code Long.class}; no reply is an instance of a primitive class, so every command used to be applied and then
     * reported to its caller as a reply of the wrong type.
     */
    @Test
    void aPrimitiveReplyTypeIsTakenAsItsBoxedType()
    {
        cluster = new InJvmCluster(1);
        final RaCluster<Long, Long, Long> counter =
            cluster.first().startCluster("counter", new CounterMachine(), long.class, cluster.serverIds("counter"));
        final RaCluster<Long, Long, Long> again =
            cluster.first().cluster("counter", new CounterMachine(), long.class, cluster.serverIds("counter"));

        assertThat(counter.process(5L).reply()).isEqualTo(5L);
        assertThat(again.process(2L).reply()).isEqualTo(7L);
    }

    @Test
    void aHandleFromANodeWithoutAMemberSendsCommandsAndNamedQueriesAndManagesMembership()
    {
        cluster = new InJvmCluster(4);
        final List<ServerId> members = List.of(new ServerId("kv", "n2"), new ServerId("kv", "n3"),
            new ServerId("kv", "n4"));
        cluster.system("n2").startCluster("kv", new KvMachine(), members);
        final RaCluster<Object, Map<String, String>, String> kv =
            cluster.system("n1").cluster("kv", new KvMachine(), String.class, members);

        assertThat(kv.process(new KvMachine.Put("a", "1")).reply()).isNull();
        assertThat(kv.<String>namedQuery("get", "a", true).result()).isEqualTo("1");
        assertThatThrownBy(() -> kv.consistentQuery(s -> s.get("a"))).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("namedQuery");

        final ServerId leader = kv.leader();
        final ServerId target = members.stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
        kv.transferLeadership(target);
        InJvmCluster.await(() -> target.equals(kv.leader()) ? target : null, Duration.ofSeconds(10),
            "the transfer");
        final ServerId removed = members.stream().filter(m -> !m.equals(target)).findFirst().orElseThrow();
        kv.removeMember(removed);
        assertThat(kv.members()).doesNotContain(removed).hasSize(2);
    }

    @Test
    void theCompilerRefusesAReplyTypeOrCommandTypeOtherThanTheMachines()
    {
        final String prelude = "class Snippet { void run(dev.ra.RaCluster<Long, Long, Long> c) { ";
        assertThat(compile(prelude + "dev.ra.CommandResult<Long> r = c.process(1L); " +
            "dev.ra.QueryResult<Long> q = c.consistentQuery(s -> s + 1); } }")).isEmpty();
        assertThat(compile(prelude + "dev.ra.CommandResult<String> r = c.process(1L); } }"))
            .contains("incompatible types");
        assertThat(compile(prelude + "c.process(\"one\"); } }")).isNotEmpty();
        assertThat(compile(prelude + "dev.ra.QueryResult<Long> q = c.consistentQuery(s -> s.length()); } }"))
            .isNotEmpty();
    }

    /**
     * @return the compiler's error messages, empty if the source compiles.
     */
    private String compile(final String source)
    {
        final JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        final DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        final JavaFileObject file = new SimpleJavaFileObject(URI.create("string:///Snippet.java"),
            JavaFileObject.Kind.SOURCE)
        {
            @Override
            public CharSequence getCharContent(final boolean ignoreEncodingErrors)
            {
                return source;
            }
        };
        final StringWriter out = new StringWriter();
        final boolean ok = compiler.getTask(out, null, diagnostics, List.of("-classpath",
            System.getProperty("java.class.path"), "-proc:none", "-d", classes.toString()), null, List.of(file)).call();
        final StringBuilder errors = new StringBuilder();
        diagnostics.getDiagnostics().forEach(d -> errors.append(d.getMessage(null)).append('\n'));
        return ok ? "" : errors.toString() + out;
    }
}
