package dev.ra.examples.support;

import dev.ra.ProcessRef;
import java.util.ArrayList;
import java.util.List;

/**
 * The processes whose last remembered calls a {@link ClientSequences#applied} pushed out (the idle time or the bound
 * on the clients remembered). A machine that keeps a process monitored while its calls are remembered demonitors
 * these, unless it holds them for something else: otherwise the leader monitors a live process forever, which a new
 * leader, monitoring what the state holds, does not.
 */
public final class ForgottenProcesses
{
    private ForgottenProcesses()
    {
    }

    /**
     * Cost: a command that pushed none out costs one lookup; the entries pushed out are the least recently used (the
     * idle ones too, while log time goes forward), at the head of the list, so the walk stops after a few lookups.
     *
     * @param before the calls before the command.
     * @param after  {@code before.applied(...)} for the command.
     * @param caller the process the command was about (remembered in {@code after}).
     * @return the processes about which {@code before} remembered calls and {@code after} remembers none.
     */
    public static List<ProcessRef> of(final ClientSequences before, final ClientSequences after,
        final ProcessRef caller)
    {
        final List<ClientSequences.Entry> old = before.entries();
        final List<ClientSequences.Entry> kept = after.entries();
        // The command's entry is the last of after; the other kept ones are in before's order.
        final ClientSequences.Caller newest = kept.get(kept.size() - 1).caller();
        // The command's own entry, if it had one, moved to the end: it is not pushed out. Looked up, not walked to:
        // it is usually among the most recently used, at the far end of the list.
        final boolean had = old instanceof SequenceEntries indexed ? null != indexed.find(newest.client(),
            newest.process()) : old.stream().anyMatch(entry -> entry.caller().equals(newest));
        int gone = old.size() - (had ? 1 : 0) - (kept.size() - 1);
        final List<ProcessRef> forgotten = new ArrayList<>();
        for (int i = 0, j = 0; i < old.size() && gone > 0; i++)
        {
            final ClientSequences.Caller entry = old.get(i).caller();
            if (j < kept.size() - 1 && entry.equals(kept.get(j).caller()))
            {
                j++;
                continue;
            }
            if (entry.equals(newest))
            {
                continue;
            }
            gone--;
            final ProcessRef process = entry.process();
            // Another client's entry about the same process may stay.
            if (!process.equals(caller) && !forgotten.contains(process) && after.forget(process) == after)
            {
                forgotten.add(process);
            }
        }
        return forgotten;
    }
}
