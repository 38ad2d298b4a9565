package dev.mkto.server.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PermissionTest {

    @Test
    void parseWhenAliasOrOtherCaseThenCanonicalPermission() {
        assertThat(Permission.parse("Read-Only Person")).contains(Permission.READ_ONLY_LEAD);
        assertThat(Permission.parse("read-write person")).contains(Permission.READ_WRITE_LEAD);
        assertThat(Permission.parse(" Read-Write Campaigns ")).contains(Permission.READ_WRITE_CAMPAIGN);
        assertThat(Permission.parse("Read-Only Asset")).contains(Permission.READ_ONLY_ASSETS);
        assertThat(Permission.parse("Access Admin")).isEmpty();
        assertThat(Permission.parse("Read-Only Lead").get().label()).isEqualTo("Read-Only Lead");
    }

    @Test
    void satisfiesWhenReadWriteThenAlsoReadOnlyOfTheSameObjectOnly() {
        assertThat(Permission.READ_WRITE_LEAD.satisfies(Permission.READ_ONLY_LEAD)).isTrue();
        assertThat(Permission.READ_ONLY_LEAD.satisfies(Permission.READ_WRITE_LEAD)).isFalse();
        assertThat(Permission.READ_WRITE_LEAD.satisfies(Permission.READ_ONLY_ACTIVITY)).isFalse();
        assertThat(Permission.READ_WRITE_NAMED_ACCOUNT.satisfies(Permission.READ_ONLY_NAMED_ACCOUNT_LIST)).isFalse();
        assertThat(Permission.EXECUTE_CAMPAIGN.satisfies(Permission.READ_ONLY_CAMPAIGN)).isFalse();
    }

    @Test
    void accessApiWhenHeldThenSatisfiesEveryPermission() {
        PermissionSet all = PermissionSet.granting(List.of(Permission.ACCESS_API));
        for (Permission p : Permission.values()) {
            assertThat(all.contains(p)).as(p.label()).isTrue();
        }
    }

    @Test
    void grantingWhenReadWriteThenClosedUnderImplication() {
        PermissionSet s = PermissionSet.granting(List.of(Permission.READ_WRITE_LEAD));
        assertThat(s.toSet()).containsExactlyInAnyOrder(Permission.READ_WRITE_LEAD, Permission.READ_ONLY_LEAD);
        assertThat(s.intersects(PermissionSet.anyOf(List.of(Permission.READ_ONLY_LEAD)))).isTrue();
        assertThat(PermissionSet.EMPTY.intersects(PermissionSet.anyOf(List.of(Permission.READ_ONLY_LEAD)))).isFalse();
    }

    @Test
    void catalogWhenListedThenHoldsTheSeedsTwentyFourAndTheTableExtras() {
        assertThat(Permission.labels()).contains("Approve Assets", "Execute Campaign", "Read-Only Activity Metadata",
                "Read-Write Sales Person", "Read-Only Custom Object Type", "Read-Write Schema Standard Field", "Activate Campaign",
                "Read-Write Redirect Rules", "Access User Management Api").hasSize(34);
    }
}
