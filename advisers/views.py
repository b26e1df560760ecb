import io

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import moderator_required
from accounts.models import Organization
from listings.models import Technology
from listings.services import form_revision

from . import activity, partners, quality, selectors, services
from .forms import (
    AnnotateForm,
    AssignmentForm,
    CommentForm,
    DeclineForm,
    NoteForm,
    PeriodForm,
    ProposalForm,
    ShortlistForm,
)
from .models import AdviserAssignment, Comment, Proposal, ShortlistEntry, StrategyNote
from .selectors import Role

# --- JPO moderators: assignments and activity -------------------------------------------------------


@moderator_required
def assignment_list(request):
    """JPO moderators: every assignment, current first."""
    assignments = AdviserAssignment.objects.for_lists()
    return render(request, "advisers/assignment_list.html", {"assignments": assignments})


@moderator_required
def assignment_create(request):
    """JPO moderators: appoint an IP adviser for one or more organisations."""
    form = AssignmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            for organization in data["organizations"]:
                services.appoint(
                    form.adviser, organization, data["start"], data["end"], request.user
                )
        except services.AdviserError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The IP adviser was appointed."))
            return redirect("advisers:assignment_list")
    status = 400 if request.method == "POST" else 200
    return render(request, "advisers/assignment_form.html", {"form": form}, status=status)


@moderator_required
def assignment_detail(request, pk):
    """JPO moderators: one assignment, its log, and changing or ending its period."""
    assignment = get_object_or_404(AdviserAssignment.objects.for_lists(), pk=pk)
    form = PeriodForm(
        request.POST or None, initial={"start": assignment.start, "end": assignment.end}
    )
    if request.method == "POST" and form.is_valid():
        services.change_period(
            assignment, form.cleaned_data["start"], form.cleaned_data["end"], request.user
        )
        messages.success(request, _("The period was changed."))
        return redirect(assignment)
    context = {
        "assignment": assignment,
        "form": form,
        "events": assignment.events.select_related("actor"),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "advisers/assignment_detail.html", context, status=status)


@require_POST
@moderator_required
def assignment_end(request, pk):
    """JPO moderators: end an assignment now; the adviser loses access at once."""
    assignment = get_object_or_404(AdviserAssignment, pk=pk)
    try:
        services.end_assignment(assignment, request.user)
    except services.AdviserError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The assignment was ended."))
    return redirect(assignment)


def _activity(request, assignments, title, filename):
    rows = activity.activity_rows(assignments)
    if request.GET.get("format") == "csv":
        out = io.StringIO()
        activity.write_csv(rows, out)
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response
    context = {"rows": rows, "columns": activity.COLUMNS, "title": title}
    return render(request, "advisers/activity.html", context)


@moderator_required
def activity_all(request):
    """JPO moderators: the activity of every assignment (CSV with ?format=csv)."""
    return _activity(
        request, AdviserAssignment.objects.for_lists(), _("Adviser activity"), "adviser-activity"
    )


@moderator_required
def activity_adviser(request, user_pk):
    """JPO moderators: the activity of one adviser, assignment by assignment."""
    adviser = get_object_or_404(get_user_model(), pk=user_pk, adviser_assignments__isnull=False)
    title = _("Activity of %(name)s") % {"name": adviser}
    assignments = AdviserAssignment.objects.for_lists().filter(adviser=adviser)
    return _activity(request, assignments, title, f"adviser-{adviser.pk}-activity")


@moderator_required
def activity_organization(request, slug):
    """JPO moderators: the activity of the advisers of one organisation."""
    organization = get_object_or_404(Organization, slug=slug)
    title = _("Adviser activity at %(name)s") % {"name": organization}
    assignments = AdviserAssignment.objects.for_lists().filter(organization=organization)
    return _activity(request, assignments, title, f"organisation-{organization.pk}-activity")


# --- The workbench: the adviser, the organisation's members and moderators ----------------------------


@login_required
def home(request):
    """Signed-in users: the organisations whose workbench they may open (none: 404). Staff see
    the organisations that have had an adviser."""
    if request.user.is_moderator:
        organizations = Organization.objects.filter(adviser_assignments__isnull=False).distinct()
    else:
        organizations = selectors.workbench_organizations(request.user)
    organizations = list(organizations.order_by("name"))
    if not organizations and not request.user.is_moderator:
        raise Http404
    if len(organizations) == 1 and not request.user.is_moderator:
        return redirect("advisers:organization", slug=organizations[0].slug)
    return render(request, "advisers/home.html", {"organizations": organizations})


@login_required
def organization(request, slug):
    """The organisation's members, its current advisers and moderators: its technologies (seeds) in
    every state, each with its quality check."""
    organization = get_object_or_404(selectors.workbench_organizations(request.user), slug=slug)
    technologies = list(selectors.seeds(organization))
    for technology in technologies:
        technology.quality = quality.check(technology)
    context = {
        "organization": organization,
        "technologies": technologies,
        "role": selectors.role_for(request.user, organization),
    }
    return render(request, "advisers/organization.html", context)


def _technology(request, pk):
    technology = get_object_or_404(
        selectors.workbench_technologies(request.user)
        .select_related("organization")
        .prefetch_related("patents", "images", "fields"),
        pk=pk,
    )
    return technology, selectors.role_for(request.user, technology.organization)


@login_required
def technology(request, pk):
    """The workbench of one technology: quality, proposed edits, comments, IP strategy notes."""
    technology, role = _technology(request, pk)
    context = technology_view_context(request, technology, role)
    return render(request, "advisers/technology.html", context)


@login_required
def propose(request, pk):
    """A current IP adviser of the organisation: propose an edit the owner accepts or declines."""
    technology, role = _technology(request, pk)
    if role != Role.ADVISER:
        raise PermissionDenied(_("Only the organisation's IP advisers propose edits."))
    # The form works on its own copy: validation writes the values onto its instance. A
    # published listing's pending edit is the starting point, as on the owner's form.
    revision = technology.revision if technology.is_public else None
    initial = revision.data if revision else None
    form = ProposalForm(
        request.POST or None,
        instance=Technology.objects.get(pk=technology.pk),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        services.propose_edit(
            technology, request.user, form_revision(form), form.cleaned_data["message"]
        )
        messages.success(request, _("Your proposal was sent to the organisation."))
        return redirect("advisers:technology", pk=technology.pk)
    context = {"technology": technology, "form": form, "quality": quality.check(technology)}
    status = 400 if request.method == "POST" else 200
    return render(request, "advisers/proposal_form.html", context, status=status)


def _proposal(request, pk):
    return get_object_or_404(
        Proposal.objects.filter(technology__in=selectors.workbench_technologies(request.user)),
        pk=pk,
    )


@require_POST
@login_required
def proposal_accept(request, pk):
    """Members of the owner organisation: accept an adviser's proposed edit."""
    proposal = _proposal(request, pk)
    try:
        services.accept_proposal(proposal, request.user)
    except services.AdviserError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The proposed edit was accepted."))
    return redirect("advisers:technology", pk=proposal.technology_id)


@require_POST
@login_required
def proposal_decline(request, pk):
    """Members of the owner organisation: decline an adviser's proposed edit."""
    proposal = _proposal(request, pk)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The reason is too long."))
        return redirect("advisers:technology", pk=proposal.technology_id)
    try:
        services.decline_proposal(proposal, request.user, form.cleaned_data["reason"])
    except services.AdviserError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The proposed edit was declined."))
    return redirect("advisers:technology", pk=proposal.technology_id)


@require_POST
@login_required
def comment_add(request, pk):
    """Anyone who may open the technology's workbench: a comment."""
    return _add_text(
        request, pk, CommentForm, services.add_comment, "comment_form", _("The comment was added.")
    )


@require_POST
@login_required
def note_add(request, pk):
    """Anyone who may open the technology's workbench: an IP strategy note."""
    return _add_text(
        request, pk, NoteForm, services.add_note, "note_form", _("The note was added.")
    )


def _add_text(request, pk, form_class, add, form_name, done):
    """A comment or a note on the workbench: saved, or the page again with what was typed."""
    technology, role = _technology(request, pk)
    form = form_class(request.POST)
    if not form.is_valid():
        return _invalid(request, technology, role, **{form_name: form})
    add(technology, request.user, form.cleaned_data["body"])
    messages.success(request, done)
    return redirect("advisers:technology", pk=technology.pk)


def _invalid(request, technology, role, **forms):
    """The workbench again with the refused form and what was typed in it."""
    context = technology_view_context(request, technology, role)
    context.update(forms)
    return render(request, "advisers/technology.html", context, status=400)


def technology_view_context(request, technology, role) -> dict:
    proposals = list(
        Proposal.objects.filter(technology=technology).select_related("adviser", "decided_by")
    )
    for proposal in proposals:
        if proposal.state == Proposal.State.OPEN:
            proposal.changes = selectors.proposal_changes(technology, proposal.data)
    return {
        "technology": technology,
        "organization": technology.organization,
        "role": role,
        "is_owner": role == Role.MEMBER and request.user.can_post,
        "quality": quality.check(technology),
        "proposals": proposals,
        "comments": Comment.objects.filter(technology=technology).select_related("author"),
        "notes": StrategyNote.objects.filter(technology=technology).select_related("author"),
        "comment_form": CommentForm(),
        "note_form": NoteForm(),
        "decline_form": DeclineForm(),
    }


@login_required
def partner_search(request, pk):
    """The workbench's users: ranked partner candidates and the technology's shortlist."""
    technology, role = _technology(request, pk)
    if request.method == "POST":
        form = ShortlistForm(request.POST)
        candidates = {c.organization.pk: c for c in partners.find_partners(technology)}
        if not form.is_valid() or form.cleaned_data["partner"] not in candidates:
            messages.error(request, _("This organisation is not among the candidates."))
            return redirect("advisers:partners", pk=technology.pk)
        chosen = candidates[form.cleaned_data["partner"]]
        services.shortlist(
            technology,
            chosen.organization,
            request.user,
            chosen.reason_text,
            form.cleaned_data["note"],
        )
        messages.success(
            request, _("%(name)s was added to the shortlist.") % {"name": chosen.organization}
        )
        return redirect("advisers:partners", pk=technology.pk)
    context = {
        "technology": technology,
        "role": role,
        "candidates": partners.find_partners(technology),
        "shortlist": ShortlistEntry.objects.filter(technology=technology).select_related(
            "partner", "added_by"
        ),
    }
    return render(request, "advisers/partners.html", context)


def _entry(request, pk):
    return get_object_or_404(
        ShortlistEntry.objects.filter(
            technology__in=selectors.workbench_technologies(request.user)
        ),
        pk=pk,
    )


@require_POST
@login_required
def shortlist_annotate(request, pk):
    """The workbench's users: change the note of a shortlisted partner."""
    entry = _entry(request, pk)
    form = AnnotateForm(request.POST)
    if form.is_valid():
        services.annotate(entry, form.cleaned_data["note"])
        messages.success(request, _("The note was saved."))
    else:
        messages.error(request, _("The note is too long (at most 2,000 characters)."))
    return redirect("advisers:partners", pk=entry.technology_id)


@require_POST
@login_required
def shortlist_remove(request, pk):
    """The workbench's users: take a partner off the shortlist."""
    entry = _entry(request, pk)
    entry.delete()
    messages.success(request, _("The partner was taken off the shortlist."))
    return redirect("advisers:partners", pk=entry.technology_id)


@login_required
def shortlist_csv(request, pk):
    """The workbench's users: the shortlist as CSV."""
    technology, _role = _technology(request, pk)
    entries = ShortlistEntry.objects.filter(technology=technology).select_related(
        "partner", "added_by"
    )
    out = io.StringIO()
    services.write_shortlist_csv(entries, out)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="shortlist-technology-{technology.pk}.csv"'
    )
    return response
