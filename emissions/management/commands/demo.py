"""python manage.py demo — load the catalogue, demo organisations and users (local settings only). Idempotent."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from reports.demo import demo_organisations_create, demo_reports_create

DEMO_PASSWORD = "demo-password"  # noqa: S105 - printed for local demos; refused outside DEBUG
CURATORS_GROUP = "Curators"


class Command(BaseCommand):
    help = "Load the catalogue, demo organisations and users, then exit. Local (DEBUG) settings only."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("demo creates users with a known password; it only runs with DEBUG on (local settings).")
        call_command("load_catalogue", verbosity=options.get("verbosity", 1))
        with transaction.atomic():
            curators, _ = Group.objects.get_or_create(name=CURATORS_GROUP)
            curators.permissions.set(Permission.objects.filter(content_type__app_label__in=["emissions", "vendors"]))
            user_model = get_user_model()
            admin, _ = user_model.objects.get_or_create(
                username="admin", defaults={"is_staff": True, "is_superuser": True, "email": "admin@example.org"}
            )
            curator, _ = user_model.objects.get_or_create(
                username="curator", defaults={"is_staff": True, "email": "curator@example.org"}
            )
            curator.groups.add(curators)
            for user in (admin, curator):
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
        today = timezone.localdate()
        organisations = demo_organisations_create(today=today, password=DEMO_PASSWORD)
        demo_reports_create(organisations=[organisation for organisation, _ in organisations], today=today)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(f"Sign in at http://127.0.0.1:8000/accounts/login/ with password '{DEMO_PASSWORD}' as:")
        for organisation, usernames in organisations:
            self.stdout.write(f"  {organisation.name} (/orgs/{organisation.slug}/): {', '.join(usernames)}")
        self.stdout.write("  'consultant': analyst in two organisations (the switcher is under Organisations)")
        self.stdout.write("  'admin' (superuser) and 'curator' (approves factors) for the curation pages at /admin/")
