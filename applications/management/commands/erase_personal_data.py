"""Erase a person's or an organization's personal data on request.

The money ledger stays, with a pseudonymous payee. Running it again changes nothing.
Each erasure is written to the erasure log (PORTAL_ERASURE_LOG), so a restore of an
older backup can apply it again (`manage.py reapply_erasures`).
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from applications.management.commands.purge_expired import summary_lines
from applications.services.privacy import erase_organization, erase_person
from grants.models import Organization
from portal.models import User


class Command(BaseCommand):
    help = "Erase the personal data of one account or one organization."

    def add_arguments(self, parser):
        subject = parser.add_mutually_exclusive_group(required=True)
        subject.add_argument("--user", type=int, help="account number")
        subject.add_argument("--email", help="account email address")
        subject.add_argument("--organization", type=int, help="organization number")

    def handle(self, *args, **options):
        try:
            if options["organization"] is not None:
                organization = Organization.objects.filter(
                    pk=options["organization"]
                ).first()
                if organization is None:
                    raise CommandError("No organization has that number.")
                changes = erase_organization(actor=None, organization=organization)
            else:
                user = self._user(options)
                changes = erase_person(actor=None, user=user)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        for line in summary_lines(changes):
            self.stdout.write(line)

    def _user(self, options):
        if options["user"] is not None:
            user = User.objects.filter(pk=options["user"]).first()
        else:
            user = User.objects.filter(email__iexact=options["email"].strip()).first()
        if user is None:
            raise CommandError("No account matches.")
        return user
