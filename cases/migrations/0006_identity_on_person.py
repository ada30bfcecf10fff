# The identity columns leave Child (they are on Person now) and Case.consent goes:
# 0005 moved their content.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0005_persons_from_children'),
    ]

    operations = [
        # A default first, so that going back can re-create the columns on existing rows
        # (0005 then fills them in again).
        migrations.AlterField(
            model_name='child',
            name='name',
            field=models.CharField(default='', max_length=120, verbose_name="child's name"),
        ),
        migrations.AlterField(
            model_name='child',
            name='sex',
            field=models.CharField(choices=[('L', 'Male'), ('P', 'Female')], default='P', max_length=1, verbose_name='sex'),
        ),
        migrations.RemoveIndex(
            model_name='child',
            name='cases_child_nik_f36c32_idx',
        ),
        migrations.RemoveIndex(
            model_name='child',
            name='cases_child_name_471dbb_idx',
        ),
        migrations.RemoveField(
            model_name='case',
            name='consent',
        ),
        migrations.RemoveField(
            model_name='child',
            name='birth_date',
        ),
        migrations.RemoveField(
            model_name='child',
            name='estimated_age',
        ),
        migrations.RemoveField(
            model_name='child',
            name='guardian_contact',
        ),
        migrations.RemoveField(
            model_name='child',
            name='guardian_name',
        ),
        migrations.RemoveField(
            model_name='child',
            name='name',
        ),
        migrations.RemoveField(
            model_name='child',
            name='nik',
        ),
        migrations.RemoveField(
            model_name='child',
            name='sex',
        ),
        migrations.AlterField(
            model_name='child',
            name='person',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='child_rows', to='cases.person'),
        ),
    ]
