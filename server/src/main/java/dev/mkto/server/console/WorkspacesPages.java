package dev.mkto.server.console;

import static dev.mkto.server.console.Html.attr;
import static dev.mkto.server.console.Html.cls;
import static dev.mkto.server.console.Html.el;
import static dev.mkto.server.console.Html.id;

import dev.mkto.server.admin.Instances;
import dev.mkto.server.admin.Partitions;
import dev.mkto.server.admin.Workspaces;
import dev.mkto.server.console.Exchange.Handler;
import dev.mkto.server.console.Exchange.Page;
import dev.mkto.server.console.Exchange.Redirect;
import dev.mkto.server.console.Exchange.Req;
import dev.mkto.server.console.Exchange.Resp;
import dev.mkto.server.http.AdminException;
import dev.mkto.server.http.Router;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Workspaces &amp; Partitions: lead partitions, workspaces, which partitions each workspace sees
 * and which is its primary (where its new leads go). Changes call {@link Workspaces} and
 * {@link Partitions} like {@code /admin/api/v1/workspaces} and {@code /partitions}.
 */
final class WorkspacesPages implements Exchange.Pages {

    private static final Map<String, List<String>> WORKSPACE_FIELDS = new LinkedHashMap<>();

    static {
        WORKSPACE_FIELDS.put("wsName", List.of("workspace name", "a workspace named"));
        WORKSPACE_FIELDS.put("primary", List.of("primary partition"));
        WORKSPACE_FIELDS.put("partitions", List.of("partition"));
    }

    private static final Map<String, List<String>> PARTITION_FIELDS = Map.of(
            "partitionName", List.of("partition name", "a partition named"));

    private final Instances instances;
    private final Workspaces workspaces;
    private final Partitions partitions;

    WorkspacesPages(Instances instances, Workspaces workspaces, Partitions partitions) {
        this.instances = instances;
        this.workspaces = workspaces;
        this.partitions = partitions;
    }

    @Override
    public void routes(Router<Handler> router) {
        router.add("GET", "/admin/workspaces", r -> overview(r, Ui.Errors.NONE, Ui.Errors.NONE, r.form()))
                .add("POST", "/admin/workspaces", this::createWorkspace)
                .add("POST", "/admin/partitions", this::createPartition)
                .add("GET", "/admin/workspaces/{id}", r -> {
                    Workspaces.Workspace w = workspaces.get(instance(), r.id("id"));
                    return editor(r, w, w.name(), w.description(), names(w.partitionIds()), name(w.primaryPartitionId()), Ui.Errors.NONE);
                })
                .add("POST", "/admin/workspaces/{id}", this::updateWorkspace);
    }

    private long instance() {
        return instances.defaultId();
    }

    private Page overview(Req r, Ui.Errors wsErrors, Ui.Errors partErrors, Map<String, List<String>> typed) {
        List<List<Object>> wsRows = new ArrayList<>();
        for (Workspaces.Workspace w : workspaces.list(instance())) {
            wsRows.add(List.of(Ui.link("/admin/workspaces/" + w.id(), w.name()), w.description() == null ? "" : w.description(),
                    String.join(", ", names(w.partitionIds())), name(w.primaryPartitionId()),
                    Ui.link("/admin/workspaces/" + w.id(), "Edit")));
        }
        List<List<Object>> partRows = new ArrayList<>();
        for (Partitions.Partition p : partitions.list(instance())) {
            partRows.add(List.of(p.name(), p.description() == null ? "" : p.description()));
        }
        Req typedReq = new Req(r.path(), r.vars(), r.query(), typed, r.session(), r.baseUrl());
        return Page.status(wsErrors.any() || partErrors.any() ? 400 : 200, "Workspaces & Partitions", Ui.Section.WORKSPACES,
                el("h1", "Workspaces & Partitions"),
                el("p", cls("lead"), "A lead lives in one partition. A workspace sees one or more partitions; roles are granted per "
                        + "workspace, and leads created by its API users go to its primary partition."),
                el("h2", "Workspaces"),
                Ui.table("Workspaces and the partitions they see", List.of("Workspace", "Description", "Partitions", "Primary", "Actions"),
                        wsRows, "No workspaces."),
                el("section", cls("panel"), attr("aria-labelledby", "new-ws-h"),
                        el("h3", id("new-ws-h"), "New Workspace"),
                        Ui.errorSummary(wsErrors),
                        workspaceForm("/admin/workspaces", r.csrf(), typedReq.field("wsName"), typedReq.field("wsDescription"),
                                typedReq.fields("partitions"), typedReq.field("primary"), wsErrors, "Create Workspace")),
                el("h2", "Partitions"),
                Ui.table("Lead partitions", List.of("Partition", "Description"), partRows, "No partitions."),
                el("section", cls("panel"), attr("aria-labelledby", "new-part-h"),
                        el("h3", id("new-part-h"), "New Partition"),
                        Ui.errorSummary(partErrors),
                        Ui.form("/admin/partitions", r.csrf(),
                                Ui.input("text", "partitionName", "Partition name", typedReq.field("partitionName"), null, partErrors, true),
                                Ui.input("text", "partitionDescription", "Description", typedReq.field("partitionDescription"), null,
                                        partErrors, false),
                                el("div", cls("actions"), Ui.submit("Create Partition")))));
    }

    private Html.Element workspaceForm(String action, String csrf, String name, String description, List<String> selected,
                                       String primary, Ui.Errors errors, String button) {
        List<Object> checks = new ArrayList<>();
        Map<String, String> options = new LinkedHashMap<>();
        options.put("", "First partition checked");
        for (Partitions.Partition p : partitions.list(instance())) {
            checks.add(Ui.checkbox("partitions", p.name(), p.name(), selected.contains(p.name()), null));
            options.put(p.name(), p.name());
        }
        String error = errors.of("partitions");
        return Ui.form(action, csrf,
                Ui.input("text", "wsName", "Workspace name", name, null, errors, true),
                Ui.input("text", "wsDescription", "Description", description, null, errors, false),
                el("fieldset", id("partitions"), attr("aria-describedby", error == null ? null : "partitions-error"),
                        el("legend", "Partitions it sees"),
                        error == null ? null : el("p", cls("field-error"), id("partitions-error"), error),
                        checks),
                Ui.select("primary", "Primary partition", options, primary == null ? "" : primary,
                        "Where leads created by this workspace's API users go; one of the partitions it sees.", errors, false),
                el("div", cls("actions"), Ui.submit(button)));
    }

    private Resp createWorkspace(Req r) {
        try {
            Workspaces.Workspace w = workspaces.create(instance(), r.field("wsName"), r.field("wsDescription"),
                    checkedPartitions(r), r.nonBlank("primary"));
            return new Redirect("/admin/workspaces", "Workspace “" + w.name() + "” created.");
        } catch (AdminException e) {
            if (e.httpStatus() == 404) {
                throw e;
            }
            return overview(r, Ui.errors(e, WORKSPACE_FIELDS), Ui.Errors.NONE, r.form());
        }
    }

    private Resp createPartition(Req r) {
        try {
            Partitions.Partition p = partitions.create(instance(), r.field("partitionName"), r.field("partitionDescription"));
            return new Redirect("/admin/workspaces", "Partition “" + p.name() + "” created.");
        } catch (AdminException e) {
            if (e.httpStatus() == 404) {
                throw e;
            }
            return overview(r, Ui.Errors.NONE, Ui.errors(e, PARTITION_FIELDS), r.form());
        }
    }

    private Resp updateWorkspace(Req r) {
        Workspaces.Workspace current = workspaces.get(instance(), r.id("id"));
        try {
            Workspaces.Workspace w = workspaces.update(instance(), current.id(), r.field("wsName"),
                    r.field("wsDescription") == null ? "" : r.field("wsDescription"), checkedPartitions(r), r.nonBlank("primary"));
            return new Redirect("/admin/workspaces", "Workspace “" + w.name() + "” saved.");
        } catch (AdminException e) {
            if (e.httpStatus() == 404) {
                throw e;
            }
            return editor(r, current, r.field("wsName"), r.field("wsDescription"), r.fields("partitions"), r.field("primary"),
                    Ui.errors(e, WORKSPACE_FIELDS));
        }
    }

    private Page editor(Req r, Workspaces.Workspace w, String name, String description, List<String> selected, String primary,
                        Ui.Errors errors) {
        return Page.status(errors.any() ? 400 : 200, "Edit workspace", Ui.Section.WORKSPACES,
                Ui.backLink("/admin/workspaces", "Workspaces & Partitions"),
                el("h1", "Edit workspace “" + w.name() + "”"),
                Ui.errorSummary(errors),
                workspaceForm("/admin/workspaces/" + w.id(), r.csrf(), name, description, selected, primary, errors, "Save"));
    }

    /** The checked partitions; none checked is an empty list, which the workspace refuses with its own message. */
    private static List<String> checkedPartitions(Req r) {
        return r.fields("partitions");
    }

    private List<String> names(List<Long> ids) {
        Map<Long, String> byId = new LinkedHashMap<>();
        partitions.list(instance()).forEach(p -> byId.put(p.id(), p.name()));
        return ids.stream().map(byId::get).toList();
    }

    private String name(long partitionId) {
        return partitions.find(instance(), partitionId).map(Partitions.Partition::name).orElse("?");
    }
}
