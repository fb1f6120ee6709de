from django.core.management.base import BaseCommand

from booking.services.reference import region_load


class Command(BaseCommand):
    help = "Load or update the region's municipalities, libraries, codes and travel times from its data file."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="data file (default: REGION_DATA_FILE)")

    def handle(self, *args, path=None, **options):
        region = region_load(path=path, progress=lambda step: self.stdout.write(f"  … {step}"))
        self.stdout.write(
            self.style.SUCCESS(f"{region.name}: {region.municipalities.count()} municipalities loaded")
        )
