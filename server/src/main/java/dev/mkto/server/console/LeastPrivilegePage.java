package dev.mkto.server.console;

import static dev.mkto.server.console.Html.attr;
import static dev.mkto.server.console.Html.cls;
import static dev.mkto.server.console.Html.el;
import static dev.mkto.server.console.Html.id;

import dev.mkto.server.admin.LeastPrivilege;
import dev.mkto.server.console.Exchange.Page;
import java.util.ArrayList;
import java.util.List;

/**
 * An API user's least-privilege report ({@code GET /admin/api/v1/users/{id}/least-privilege}): the
 * permissions its roles grant that no call of the last 7 days needed, the ones used only for their
 * Read-Only part, and the permissions its recent 603s asked for.
 */
final class LeastPrivilegePage {

    private LeastPrivilegePage() {
    }

    static Page render(LeastPrivilege.Report r) {
        List<Object> main = new ArrayList<>();
        main.add(Ui.backLink("/admin/users/" + r.userId(), r.email()));
        main.add(el("h1", "Least privilege: " + r.email()));
        main.add(el("p", cls("lead"), "Calls and 603 answers since " + r.since() + " (the last " + r.days()
                + " days), held against what each endpoint needs. The same report is GET /admin/api/v1/users/" + r.userId()
                + "/least-privilege."));

        List<Object> findings = new ArrayList<>();
        if (!r.unused().isEmpty()) {
            findings.add(el("li", el("strong", "Granted but not used: "), String.join(", ", r.unused()),
                    ". No call needed them; remove them from the user's roles unless a rare job needs them."));
        }
        r.narrower().forEach((perm, needed) -> findings.add(el("li", el("strong", perm + ": "),
                "only " + String.join(", ", needed) + " was needed.")));
        if (!r.missing().isEmpty()) {
            findings.add(el("li", el("strong", "Asked for but not granted: "), String.join(", ", r.missing()),
                    ". Calls needing them were answered 603 Access denied."));
        }
        List<String> refusedAnyway = r.denied().stream().filter(LeastPrivilege.Denied::holdsOneNow).map(LeastPrivilege.Denied::endpoint).toList();
        if (!refusedAnyway.isEmpty()) {
            findings.add(el("li", el("strong", "Answered 603 although permitted: "), String.join(", ", refusedAnyway),
                    ". The user holds a permission these calls need; the table below says what else refuses them."));
        }
        if (findings.isEmpty()) {
            findings.add(el("li", r.granted().isEmpty() ? "The user's roles grant no API permission."
                    : "Every granted permission was used, and no call was denied."));
        }
        main.add(el("section", cls("panel"), attr("aria-labelledby", "findings-h"),
                el("h2", id("findings-h"), "Findings"), el("ul", cls("findings"), findings)));

        List<List<Object>> granted = new ArrayList<>();
        for (LeastPrivilege.Granted g : r.granted()) {
            granted.add(List.of(g.permission(),
                    String.join(", ", g.grantedBy().stream().map(x -> x.role() + " (" + x.workspace() + ")").toList()),
                    g.used() ? (g.neededInstead().isEmpty() ? "used" : "used as " + String.join(", ", g.neededInstead()))
                            : el("span", cls("status status-unused"), "not used"),
                    g.calls(),
                    String.join(", ", g.endpoints())));
        }
        main.add(el("h2", "Granted permissions"));
        main.add(Ui.table("Permissions the user's roles grant, and the calls that needed them",
                List.of("Permission", "Granted by (workspace)", "Use", "Calls", "Endpoints"), granted,
                "The user's roles grant no API permission."));

        List<List<Object>> denied = new ArrayList<>();
        for (LeastPrivilege.Denied d : r.denied()) {
            denied.add(List.of(d.endpoint(), d.count(), d.lastDate(),
                    d.permissions().isEmpty() ? "none (the IP allowlist refused it)" : String.join(" or ", d.permissions()),
                    d.holdsOneNow() ? heldNow(d.endpoint()) : "no"));
        }
        main.add(el("h2", "603 Access denied"));
        main.add(Ui.table("Endpoints answered 603 for the user's services", List.of("Endpoint", "603s", "Last on", "Needs", "Held now"),
                denied, "No call of this user's services was answered 603."));
        return Page.ok("Least privilege: " + r.email(), Ui.Section.USERS, main.toArray());
    }

    /**
     * Why an endpoint was answered 603 although the user holds a permission it needs: besides the
     * IP allowlist and a grant made since, the User Management API refuses changes that concern a
     * workspace where the caller lacks it (or the caller's own account), and a bulk extract file is
     * refused once its owner can no longer read a partition it was taken from.
     */
    private static String heldNow(String endpoint) {
        if (endpoint.contains(" /userservice/")) {
            return "yes, but perhaps not in every workspace: the change concerned a workspace where the user lacks it (or its own account),"
                    + " the IP allowlist refused it, or it was granted since";
        }
        if (endpoint.startsWith("GET /bulk/") && endpoint.endsWith("/file.json")) {
            return "yes: the job's file holds a partition the user can no longer read, the IP allowlist refused it, or it was granted since";
        }
        return "yes: the refusal came from the IP allowlist, or it was granted since";
    }
}
