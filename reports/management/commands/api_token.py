"""python manage.py api_token create --user USERNAME [--name NAME] | list --user USERNAME | revoke PREFIX"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from reports.models import ApiToken
from reports.services.tokens import api_token_create, api_token_revoke


class Command(BaseCommand):
    help = "Create (prints the token once), list or revoke personal API tokens."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token and print it.")
        create.add_argument("--user", required=True)
        create.add_argument("--name", default="command line")
        listing = sub.add_parser("list", help="List a user's tokens (never the secret).")
        listing.add_argument("--user", required=True)
        revoke = sub.add_parser("revoke", help="Revoke a token by the prefix shown in list.")
        revoke.add_argument("prefix")

    def handle(self, *args, action, **options):
        if action == "revoke":
            token = ApiToken.objects.filter(prefix=options["prefix"]).first()
            if token is None:
                raise CommandError(f"No token with prefix '{options['prefix']}' (see: api_token list --user NAME).")
            api_token_revoke(token=token)
            self.stdout.write(f"Revoked '{token.name}' of {token.user.get_username()}.")
            return
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"No user '{options['user']}'.")
        if action == "list":
            for token in ApiToken.objects.filter(user=user):
                state = "active" if token.active else f"revoked {token.revoked_at:%Y-%m-%d}"
                used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
                created = f"{token.created_at:%Y-%m-%d}"
                self.stdout.write(f"{token.prefix}  {token.name}  created {created}  used {used}  {state}")
            return
        try:
            _, raw = api_token_create(user=user, name=options["name"])
        except ValidationError as error:
            raise CommandError("; ".join(m for ms in error.message_dict.values() for m in ms)) from error
        self.stdout.write(raw)
