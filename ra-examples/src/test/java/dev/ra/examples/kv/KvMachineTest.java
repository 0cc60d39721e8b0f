package dev.ra.examples.kv;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ApplyResult;
import dev.ra.Effect;
import dev.ra.examples.support.CommandNumber;
import dev.ra.examples.support.MachineDriver;
import dev.ra.examples.support.ReleaseCursorPolicy;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class KvMachineTest
{
    private final MachineDriver<KvCommand, KvState> kv =
        new MachineDriver<>(new KvMachine(ReleaseCursorPolicy.every(1_000)), KvCommand.class);

    @Test
    void shouldStoreAPutAndReplyItsRevision()
    {
        final ApplyResult<KvState> result = kv.apply(new KvCommand.Put("k", "v"));

        assertThat(result).isEqualTo(ApplyResult.of(
            new KvState(Map.of("k", new KvEntry("v", 1, 1, 1)), 0), new KvReply.Written(1, null)));
        assertThat(kv.state().get("k")).isEqualTo("v");
    }

    @Test
    void shouldKeepTheCreateIndexAndCountVersionsOnOverwrite()
    {
        kv.apply(new KvCommand.Put("k", "v1"));
        kv.skip(3);

        final ApplyResult<KvState> result = kv.apply(new KvCommand.Put("k", "v2"));

        assertThat(result.reply()).isEqualTo(new KvReply.Written(5, "v1"));
        assertThat(kv.state().entry("k")).isEqualTo(new KvEntry("v2", 1, 5, 2));
        assertThat(result.effects()).isEmpty();
    }

    @Test
    void shouldTreatTheDeleteOfAnAbsentKeyAsASuccessThatChangesNothing()
    {
        kv.apply(new KvCommand.Put("other", "x"));
        final KvState before = kv.state();

        final ApplyResult<KvState> result = kv.apply(new KvCommand.Delete("k"));

        assertThat(result).isEqualTo(ApplyResult.of(before, new KvReply.Deleted(2, null)));
    }

    @Test
    void shouldDeleteAndReplyThePreviousValue()
    {
        kv.apply(new KvCommand.Put("k", "v"));

        final ApplyResult<KvState> result = kv.apply(new KvCommand.Delete("k"));

        assertThat(result.reply()).isEqualTo(new KvReply.Deleted(2, "v"));
        assertThat(kv.state().entry("k")).isNull();
        assertThat(kv.state().size()).isZero();
    }

    @Test
    void shouldCreateWithCasOnlyWhenAbsent()
    {
        assertThat(kv.apply(new KvCommand.Cas("k", null, "v1")).reply())
            .isEqualTo(new KvReply.CasResult(true, null, 1));
        assertThat(kv.apply(new KvCommand.Cas("k", null, "v2")).reply())
            .isEqualTo(new KvReply.CasResult(false, "v1", 2));
        assertThat(kv.state().entry("k")).isEqualTo(new KvEntry("v1", 1, 1, 1));
    }

    @Test
    void shouldSwapOnlyWhenTheCurrentValueMatches()
    {
        kv.apply(new KvCommand.Put("k", "v1"));

        final ApplyResult<KvState> mismatch = kv.apply(new KvCommand.Cas("k", "nope", "v2"));
        final KvState afterMismatch = kv.state();
        final ApplyResult<KvState> match = kv.apply(new KvCommand.Cas("k", "v1", "v2"));

        assertThat(mismatch.reply()).isEqualTo(new KvReply.CasResult(false, "v1", 2));
        assertThat(afterMismatch.entry("k")).isEqualTo(new KvEntry("v1", 1, 1, 1));
        assertThat(match.reply()).isEqualTo(new KvReply.CasResult(true, "v1", 3));
        assertThat(kv.state().entry("k")).isEqualTo(new KvEntry("v2", 1, 3, 2));
    }

    @Test
    void shouldDeleteWithACasToNull()
    {
        kv.apply(new KvCommand.Put("k", "v1"));

        final ApplyResult<KvState> result = kv.apply(new KvCommand.Cas("k", "v1", null));

        assertThat(result.reply()).isEqualTo(new KvReply.CasResult(true, "v1", 2));
        assertThat(kv.state().entry("k")).isNull();
    }

    @Test
    void shouldNotMutateThePreviousState()
    {
        kv.apply(new KvCommand.Put("k", "v1"));
        final KvState before = kv.state();

        kv.apply(new KvCommand.Put("k", "v2"));
        kv.apply(new KvCommand.Put("j", "v3"));

        assertThat(before).isEqualTo(new KvState(Map.of("k", new KvEntry("v1", 1, 1, 1)), 0));
    }

    @Test
    void shouldOfferTheStateAsASnapshotEveryIntervalEntries()
    {
        final MachineDriver<KvCommand, KvState> driver =
            new MachineDriver<>(new KvMachine(ReleaseCursorPolicy.every(3)), KvCommand.class);

        driver.apply(new KvCommand.Put("a", "1"));
        driver.apply(new KvCommand.Put("b", "2"));
        final ApplyResult<KvState> third = driver.apply(new KvCommand.Put("c", "3"));
        final ApplyResult<KvState> fourth = driver.apply(new KvCommand.Put("d", "4"));
        driver.skip(2);
        final ApplyResult<KvState> seventh = driver.apply(new KvCommand.Delete("a"));

        assertThat(third.state().cursorIndex()).isEqualTo(3);
        assertThat(third.effects()).containsExactly(new Effect.ReleaseCursor(3, third.state()));
        assertThat(fourth.effects()).isEmpty();
        assertThat(seventh.effects()).containsExactly(new Effect.ReleaseCursor(7, seventh.state()));
    }

    @Test
    void shouldHandleEveryCommandType()
    {
        final List<KvCommand> samples = List.of(
            new KvCommand.Put("k", "v"), new KvCommand.Delete("k"), new KvCommand.Cas("k", null, "v"),
            new KvCommand.Numbered(new KvCommand.Put("k", "w"), new CommandNumber("client", 1, 1)));
        final Set<Class<?>> covered = samples.stream().map(Object::getClass).collect(Collectors.toSet());

        assertThat(covered).containsExactlyInAnyOrder(KvCommand.class.getPermittedSubclasses());
        samples.forEach(kv::apply);
    }
}
