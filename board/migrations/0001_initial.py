"""The board and its election leave the cadres app for their own. No table changes here:
the models are taken over as they are (their tables keep their names until 0002)."""

import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('cadres', '0003_board'),
        ('kelurahan', '0002_load_pontianak'),
        ('training', '0001_training_sessions'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='BoardPosition',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('ketua', 'Chair'), ('wakil_ketua', 'Vice chair'), ('sekretaris', 'Secretary'), ('bendahara', 'Treasurer'), ('koordinator', 'Kecamatan coordinator')], max_length=20, verbose_name='position')),
                        ('sort_order', models.PositiveSmallIntegerField(default=0)),
                        ('kecamatan', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='board_positions', to='kelurahan.kecamatan', verbose_name='kecamatan')),
                    ],
                    options={
                        'db_table': 'cadres_boardposition',
                        'verbose_name': 'board position',
                        'verbose_name_plural': 'board positions',
                        'ordering': ['sort_order', 'kecamatan__code'],
                    },
                ),
                migrations.CreateModel(
                    name='BoardTerm',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('start_year', models.PositiveSmallIntegerField(verbose_name='first year')),
                        ('end_year', models.PositiveSmallIntegerField(verbose_name='last year')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        'db_table': 'cadres_boardterm',
                        'verbose_name': 'board term',
                        'verbose_name_plural': 'board terms',
                        'ordering': ['-start_year', '-end_year'],
                        'constraints': [models.UniqueConstraint(fields=('start_year', 'end_year'), name='board_term_unique_years'), models.CheckConstraint(condition=models.Q(('end_year__gte', models.F('start_year'))), name='board_term_years_order')],
                    },
                ),
                migrations.CreateModel(
                    name='Election',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('title', models.CharField(max_length=200, verbose_name='title')),
                        ('state', models.CharField(choices=[('draft', 'Draft'), ('open', 'Open'), ('closed', 'Closed')], default='draft', max_length=10, verbose_name='state')),
                        ('electorate', models.CharField(choices=[('active', 'All active cadres with a login'), ('training', 'Cadres present at a training')], default='active', max_length=10, verbose_name='who may vote')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('opened_at', models.DateTimeField(blank=True, null=True, verbose_name='opened')),
                        ('closed_at', models.DateTimeField(blank=True, null=True, verbose_name='closed')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('term', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='elections', to='board.boardterm', verbose_name='term')),
                        ('training', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='board_elections', to='training.training', verbose_name='training')),
                    ],
                    options={
                        'db_table': 'cadres_election',
                        'verbose_name': 'board election',
                        'verbose_name_plural': 'board elections',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='Candidate',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('cadre', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='candidacies', to='cadres.cadre')),
                        ('position', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='board.boardposition')),
                        ('election', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='candidates', to='board.election')),
                    ],
                    options={
                        'db_table': 'cadres_candidate',
                        'ordering': ['position__sort_order', 'position__kecamatan__code', 'cadre__name'],
                    },
                ),
                migrations.CreateModel(
                    name='BoardSeat',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('source', models.CharField(choices=[('election', 'Election in SIGAP'), ('paper', 'Paper election')], max_length=10, verbose_name='source')),
                        ('votes', models.PositiveIntegerField(blank=True, null=True, verbose_name='votes received')),
                        ('votes_cast', models.PositiveIntegerField(blank=True, null=True, verbose_name='votes cast')),
                        ('note', models.TextField(blank=True, verbose_name='note')),
                        ('installed_at', models.DateTimeField(auto_now=True)),
                        ('cadre', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='board_seats', to='cadres.cadre')),
                        ('installed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('position', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='seats', to='board.boardposition')),
                        ('term', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='seats', to='board.boardterm')),
                        ('election', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='seats', to='board.election')),
                    ],
                    options={
                        'db_table': 'cadres_boardseat',
                        'ordering': ['position__sort_order', 'position__kecamatan__code'],
                    },
                ),
                migrations.CreateModel(
                    name='Ballot',
                    fields=[
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('position', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='board.boardposition')),
                        ('candidate', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='board.candidate')),
                        ('election', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='board.election')),
                    ],
                    options={
                        'db_table': 'cadres_ballot',
                    },
                ),
                migrations.CreateModel(
                    name='ElectionVoter',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('cadre', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='cadres.cadre')),
                        ('election', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='roll', to='board.election')),
                    ],
                    options={
                        'db_table': 'cadres_electionvoter',
                    },
                ),
                migrations.CreateModel(
                    name='VoterMark',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('election', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='board.election')),
                        ('position', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='board.boardposition')),
                        ('voter', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='cadres.cadre')),
                    ],
                    options={
                        'db_table': 'cadres_votermark',
                    },
                ),
                migrations.AddConstraint(
                    model_name='boardposition',
                    constraint=models.UniqueConstraint(condition=models.Q(('kecamatan__isnull', True)), fields=('kind',), name='board_position_unique_kind'),
                ),
                migrations.AddConstraint(
                    model_name='boardposition',
                    constraint=models.UniqueConstraint(condition=models.Q(('kecamatan__isnull', False)), fields=('kind', 'kecamatan'), name='board_position_unique_kind_kecamatan'),
                ),
                migrations.AddConstraint(
                    model_name='boardposition',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('kecamatan__isnull', False), ('kind', 'koordinator')), models.Q(models.Q(('kind', 'koordinator'), _negated=True), ('kecamatan__isnull', True)), _connector='OR'), name='board_position_kecamatan_iff_coordinator'),
                ),
                migrations.AddConstraint(
                    model_name='candidate',
                    constraint=models.UniqueConstraint(fields=('election', 'position', 'cadre'), name='board_candidate_once'),
                ),
                migrations.AddConstraint(
                    model_name='boardseat',
                    constraint=models.UniqueConstraint(fields=('term', 'position'), name='board_seat_once_per_term'),
                ),
                migrations.AddIndex(
                    model_name='ballot',
                    index=models.Index(fields=['election', 'position'], name='cadres_ball_electio_759629_idx'),
                ),
                migrations.AddConstraint(
                    model_name='electionvoter',
                    constraint=models.UniqueConstraint(fields=('election', 'cadre'), name='board_roll_once'),
                ),
                migrations.AddConstraint(
                    model_name='votermark',
                    constraint=models.UniqueConstraint(fields=('election', 'position', 'voter'), name='board_one_vote_per_voter_and_position'),
                ),
            ],
        ),
    ]
