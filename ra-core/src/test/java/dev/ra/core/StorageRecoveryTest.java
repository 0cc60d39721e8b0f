package dev.ra.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ServerId;
import dev.ra.protocol.Member;
import dev.ra.protocol.Membership;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How a member whose term and vote were lost learns a term bounding every term it may have been in: the highest that a
 * majority of the other voters of the configuration it knows reported (see {@link StorageRecovery}).
 */
class StorageRecoveryTest
{
    private static final ServerId SELF = id(1);

    @Test
    void aMemberWhoseTermIsWholeHasNothingToLearn()
    {
        final StorageRecovery recovery = new StorageRecovery(new RecoveredState(5, null, 0, null, null, 0, false));

        assertThat(recovery.termUnknown()).isFalse();
        assertThat(recovery.termReported(id(2), 9, voters(3), SELF)).isEqualTo(-1);
    }

    @Test
    void ofThreeMembersBothOthersMustAnswer()
    {
        final StorageRecovery recovery = lostTerm();

        assertThat(recovery.termReported(id(2), 2, voters(3), SELF)).as("one of the two others").isEqualTo(-1);
        assertThat(recovery.termUnknown()).isTrue();
        assertThat(recovery.termReported(id(3), 3, voters(3), SELF)).as("both").isEqualTo(3);
        assertThat(recovery.termUnknown()).isFalse();
    }

    @Test
    void ofFiveMembersThreeOfTheFourOthersMustAnswerAndTheHighestTermCounts()
    {
        final StorageRecovery recovery = lostTerm();

        assertThat(recovery.termReported(id(2), 7, voters(5), SELF)).isEqualTo(-1);
        assertThat(recovery.termReported(id(3), 4, voters(5), SELF)).isEqualTo(-1);
        assertThat(recovery.termReported(id(2), 6, voters(5), SELF)).as("the same voter again").isEqualTo(-1);
        assertThat(recovery.termReported(id(5), 5, voters(5), SELF)).as("its highest report counts").isEqualTo(7);
    }

    @Test
    void answersOfMembersThatAreNotVotersOfTheKnownConfigurationDoNotCount()
    {
        final StorageRecovery recovery = lostTerm();
        final List<Member> members = new ArrayList<>(voters(3));
        members.add(new Member(id(4), Membership.PROMOTABLE, 0));

        assertThat(recovery.termReported(id(4), 9, members, SELF)).as("not a voter").isEqualTo(-1);
        assertThat(recovery.termReported(id(7), 9, members, SELF)).as("not a member").isEqualTo(-1);
        assertThat(recovery.termReported(SELF, 9, members, SELF)).as("itself").isEqualTo(-1);
        assertThat(recovery.termReported(id(2), 2, members, SELF)).isEqualTo(-1);
        assertThat(recovery.termReported(id(3), 3, members, SELF)).as("no report of a non-voter counted").isEqualTo(3);
    }

    @Test
    void aMemberThatIsNotAVoterItselfNeedsAMajorityOfTheVoters()
    {
        final StorageRecovery recovery = lostTerm();
        final List<Member> members = List.of(Member.voter(id(2)), Member.voter(id(3)), Member.voter(id(4)),
            new Member(SELF, Membership.PROMOTABLE, 0));

        assertThat(recovery.termReported(id(2), 2, members, SELF)).isEqualTo(-1);
        assertThat(recovery.termReported(id(3), 3, members, SELF)).as("two of three").isEqualTo(3);
    }

    @Test
    void aMemberWithoutOtherVotersNeverLearns()
    {
        final StorageRecovery recovery = lostTerm();

        assertThat(recovery.termReported(id(2), 4, voters(1), SELF)).isEqualTo(-1);
        assertThat(recovery.termUnknown()).isTrue();
    }

    private static StorageRecovery lostTerm()
    {
        return new StorageRecovery(new RecoveredState(0, null, 0, null, null, 0, true));
    }

    private static List<Member> voters(final int count)
    {
        final List<Member> members = new ArrayList<>();
        for (int i = 1; i <= count; i++)
        {
            members.add(Member.voter(id(i)));
        }
        return members;
    }

    private static ServerId id(final int n)
    {
        return new ServerId("s" + n, "n" + n);
    }
}
