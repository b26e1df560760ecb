"""A revision decision is logged as "revision_" + the action: "revision_request_changes" needs
more than the 20 characters the column had."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('listings', '0009_public_search_index'),
    ]

    operations = [
        migrations.AlterField(
            model_name='moderationevent',
            name='action',
            field=models.CharField(max_length=30, verbose_name='action'),
        ),
    ]
