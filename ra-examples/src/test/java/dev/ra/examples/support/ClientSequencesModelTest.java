package dev.ra.examples.support;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ProcessRef;
import dev.ra.codec.Codec;
import dev.ra.codec.Codecs;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * {@link ClientSequences} indexed in trees against the plain list it stands for (the model below: scanned and copied
 * per command, as it was): the same entries in the same order after every command, end of a process, idle expiry and
 * eviction, with log times that go back at a leader change; and the same snapshot bytes.
 */
class ClientSequencesModelTest
{
    private static final Codec<Object> SNAPSHOTS = Codecs.generic();

    @Test
    void theIndexedEntriesAreThoseOfTheListModelAfterEveryChange()
    {
        for (long seed = 1; seed <= 4; seed++)
        {
            final SplittableRandom random = new SplittableRandom(seed);
            ClientSequences indexed = ClientSequences.NONE;
            List<ClientSequences.Entry> model = List.of();
            long nowMs = 1_000_000;
            final long[] numbers = new long[4];
            int largest = 0;
            for (int step = 0; step < 4_000; step++)
            {
                final ProcessRef process = new ProcessRef("n" + random.nextInt(3), 1 + random.nextInt(600));
                final int client = random.nextInt(numbers.length);
                // Mostly forward, sometimes far (beyond the retention), sometimes back (another leader's clock).
                final int clock = random.nextInt(1_000);
                nowMs += clock < 2 ? ClientSequences.RETAINED_MS / 2 : clock < 30 ? -20_000 : random.nextInt(200);
                if (random.nextInt(20) == 0)
                {
                    indexed = indexed.forget(process);
                    model = forget(model, process);
                }
                else
                {
                    final CommandNumber number = new CommandNumber("c" + client, ++numbers[client],
                        Math.max(1, numbers[client] - random.nextInt(3)));
                    assertThat(indexed.earlier(process, number)).isEqualTo(earlier(model, process, number));
                    indexed = indexed.applied(process, number, "r" + step, nowMs);
                    model = applied(model, process, number, "r" + step, nowMs);
                }
                if (!indexed.entries().equals(model))
                {
                    assertThat(indexed.entries()).as("seed " + seed + ", step " + step)
                        .containsExactlyElementsOf(model);
                }
                largest = Math.max(largest, model.size());
            }
            assertThat(largest).as("the bound was reached").isEqualTo(ClientSequences.MAX_CLIENTS);
            assertThat(SNAPSHOTS.toBytes(indexed)).as("the snapshot bytes of the list")
                .isEqualTo(SNAPSHOTS.toBytes(new ClientSequences(new ArrayList<>(model))));
            assertThat(SNAPSHOTS.fromBytes(SNAPSHOTS.toBytes(indexed))).isEqualTo(indexed);
        }
    }

    /**
     * One client's calls, many under way at once, some given up and never applied, others landing late, with the
     * first unanswered number they carry moving on now and then: past the bound of replies and of ranges, the same
     * answers and entries as the model's.
     */
    @Test
    void oneClientPastTheBoundsOfRepliesAndRangesIsTheModel()
    {
        final ProcessRef process = new ProcessRef("n1", 1);
        int largestRanges = 0;
        for (long seed = 1; seed <= 2; seed++)
        {
            final SplittableRandom random = new SplittableRandom(seed);
            ClientSequences indexed = ClientSequences.NONE;
            List<ClientSequences.Entry> model = List.of();
            final TreeSet<Long> underWay = new TreeSet<>();
            long last = 0;
            long firstUnanswered = 1;
            for (int step = 0; step < 6_000; step++)
            {
                final long number;
                if (!underWay.isEmpty() && random.nextInt(8) == 0)
                {
                    // A call under way lands, late or retried.
                    number = random.nextBoolean() ? underWay.first() : underWay.last();
                }
                else
                {
                    number = ++last;
                    if (random.nextInt(3) == 0)
                    {
                        // Under way for a while, or given up and never sent again.
                        underWay.add(number);
                        continue;
                    }
                }
                if (random.nextInt(2_000) == 0)
                {
                    firstUnanswered = Math.min(number, underWay.isEmpty() ? last : underWay.first());
                    underWay.headSet(firstUnanswered).clear();
                }
                final CommandNumber call = new CommandNumber("c", number, Math.min(number, firstUnanswered));
                final ClientSequences.Earlier answer = indexed.earlier(process, call);
                assertThat(answer).as("seed " + seed + ", step " + step).isEqualTo(earlier(model, process, call));
                if (null == answer)
                {
                    indexed = indexed.applied(process, call, "r" + step, step);
                    model = applied(model, process, call, "r" + step, step);
                }
                assertThat(indexed.entries()).as("seed " + seed + ", step " + step).isEqualTo(model);
                largestRanges = Math.max(largestRanges, model.isEmpty() ? 0 :
                    model.get(0).calls().appliedWithoutReply().size());
            }
            assertThat(SNAPSHOTS.fromBytes(SNAPSHOTS.toBytes(indexed))).as("through a snapshot").isEqualTo(indexed);
        }
        assertThat(largestRanges).as("the bound of ranges was reached").isEqualTo(ClientSequences.MAX_APPLIED_RANGES);
    }

    private static ClientSequences.Earlier earlier(final List<ClientSequences.Entry> model, final ProcessRef process,
        final CommandNumber number)
    {
        for (final ClientSequences.Entry entry : model)
        {
            if (entry.caller().equals(new ClientSequences.Caller(number.client(), process)))
            {
                final ClientSequences.Calls calls = entry.calls();
                if (number.number() < calls.firstUnanswered())
                {
                    return new ClientSequences.Earlier(new StaleCommand(number, calls.firstUnanswered()));
                }
                for (final ClientSequences.Reply reply : calls.replies())
                {
                    if (reply.number() == number.number())
                    {
                        return new ClientSequences.Earlier(reply.value());
                    }
                }
                if (calls.appliedWithoutReply().stream()
                    .anyMatch(range -> range.first() <= number.number() && number.number() <= range.last()))
                {
                    return new ClientSequences.Earlier(new StaleCommand(number, calls.firstUnanswered()));
                }
            }
        }
        return null;
    }

    /** As ClientSequences applied it when it was a list, with the numbers applied without a reply one by one. */
    private static List<ClientSequences.Entry> applied(final List<ClientSequences.Entry> model,
        final ProcessRef process, final CommandNumber number, final Object reply, final long nowMs)
    {
        final ClientSequences.Caller caller = new ClientSequences.Caller(number.client(), process);
        ClientSequences.Calls before = null;
        for (final ClientSequences.Entry entry : model)
        {
            if (entry.caller().equals(caller))
            {
                before = entry.calls();
            }
        }
        long first = Math.max(number.firstUnanswered(), null == before ? 1 : before.firstUnanswered());
        final List<ClientSequences.Reply> replies = new ArrayList<>();
        if (null != before)
        {
            for (final ClientSequences.Reply kept : before.replies())
            {
                if (kept.number() >= first)
                {
                    replies.add(kept);
                }
            }
        }
        replies.add(new ClientSequences.Reply(number.number(), reply));
        final TreeSet<Long> withoutReply = null == before ? new TreeSet<>() : numbers(before.appliedWithoutReply());
        while (replies.size() > ClientSequences.MAX_UNANSWERED)
        {
            withoutReply.add(replies.remove(0).number());
        }
        withoutReply.headSet(first).clear();
        while (ranges(withoutReply).size() > ClientSequences.MAX_APPLIED_RANGES)
        {
            first = ranges(withoutReply).get(0).last() + 1;
            withoutReply.headSet(first).clear();
        }
        final long floor = first;
        replies.removeIf(kept -> kept.number() < floor);
        final List<ClientSequences.Entry> kept = new ArrayList<>();
        for (final ClientSequences.Entry entry : model)
        {
            if (!entry.caller().equals(caller) && nowMs - entry.calls().lastMs() <= ClientSequences.RETAINED_MS)
            {
                kept.add(entry);
            }
        }
        final List<ClientSequences.Entry> next = kept.size() < ClientSequences.MAX_CLIENTS ? kept :
            new ArrayList<>(kept.subList(kept.size() - ClientSequences.MAX_CLIENTS + 1, kept.size()));
        next.add(new ClientSequences.Entry(caller,
            new ClientSequences.Calls(first, replies, ranges(withoutReply), nowMs)));
        return next;
    }

    private static TreeSet<Long> numbers(final List<ClientSequences.NumberRange> ranges)
    {
        final TreeSet<Long> numbers = new TreeSet<>();
        for (final ClientSequences.NumberRange range : ranges)
        {
            for (long number = range.first(); number <= range.last(); number++)
            {
                numbers.add(number);
            }
        }
        return numbers;
    }

    private static List<ClientSequences.NumberRange> ranges(final TreeSet<Long> numbers)
    {
        final List<ClientSequences.NumberRange> ranges = new ArrayList<>();
        for (final long number : numbers)
        {
            final int last = ranges.size() - 1;
            if (last >= 0 && ranges.get(last).last() + 1 == number)
            {
                ranges.set(last, new ClientSequences.NumberRange(ranges.get(last).first(), number));
            }
            else
            {
                ranges.add(new ClientSequences.NumberRange(number, number));
            }
        }
        return ranges;
    }

    private static List<ClientSequences.Entry> forget(final List<ClientSequences.Entry> model,
        final ProcessRef ended)
    {
        final List<ClientSequences.Entry> next = new ArrayList<>(model);
        next.removeIf(entry -> entry.caller().process().equals(ended));
        return next;
    }
}
