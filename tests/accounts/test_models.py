import pytest
from django.contrib.auth import authenticate
from django.db import IntegrityError, transaction

from accounts.models import User
from accounts.services import AccountError, user_make_staff
from tests.factories import CompanyFactory, OperatorFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_user_email_is_the_login(password):
    user = UserFactory(email="Amina@Example.org")
    assert user.email == "amina@example.org"
    assert authenticate(email="amina@example.org", password=password) == user
    assert authenticate(email="AMINA@example.ORG", password=password) == user
    assert authenticate(email="amina@example.org", password="wrong") is None
    assert not hasattr(user, "username")


def test_user_email_unique_without_case():
    UserFactory(email="dup@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(email="DUP@example.org", password="x")
    # Even a raw update that skips the model's normalisation is refused by the database.
    other = UserFactory(email="other@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=other.pk).update(email="Dup@Example.org")
    assert User.objects.filter(email__iexact="dup@example.org").count() == 1


def test_user_roles_follow_organisation():
    company_user = UserFactory(company=CompanyFactory(), company_role="owner")
    operator_user = UserFactory(operator=OperatorFactory())
    staff_user = UserFactory(is_staff=True)
    assert company_user.role == User.Role.COMPANY
    assert operator_user.role == User.Role.OPERATOR
    assert staff_user.role == User.Role.STAFF
    assert str(staff_user.role_label) == "Personnel de l’agence"


def test_user_cannot_be_company_member_and_operator():
    user = UserFactory(company=CompanyFactory(), company_role="owner")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=user.pk).update(operator=OperatorFactory())


@pytest.mark.parametrize("organisation", ["company", "operator"])
def test_user_staff_cannot_belong_to_an_organisation(organisation):
    extra = (
        {"company": CompanyFactory(), "company_role": "member"}
        if organisation == "company"
        else {"operator": OperatorFactory()}
    )
    user = UserFactory(**extra)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_staff=True)
    with pytest.raises(AccountError):
        user_make_staff(user=user)
    user.refresh_from_db()
    assert user.is_staff is False


def test_user_company_role_requires_company():
    user = UserFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=user.pk).update(company_role="owner")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=user.pk).update(company=CompanyFactory(), company_role="")


def test_company_has_a_single_owner():
    company = CompanyFactory()
    UserFactory(company=company, company_role="owner")
    UserFactory(company=company, company_role="member")
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(company=company, company_role="owner")


def test_user_make_staff_joins_the_group_with_permissions():
    user = user_make_staff(user=UserFactory())
    user = User.objects.get(pk=user.pk)
    assert user.is_staff
    assert list(user.groups.values_list("name", flat=True)) == ["Agency staff"]
    assert user.has_perm("missions.change_mission")
    assert user.has_perm("companies.add_operator")
    assert user.has_perm("accounts.view_user")
    assert not user.has_perm("accounts.delete_user")


def test_createsuperuser_manager_requires_email():
    with pytest.raises(ValueError, match="e-mail"):
        User.objects.create_user(email="", password="x")
    admin = User.objects.create_superuser(email="Root@Example.org", password="x")
    assert admin.is_staff and admin.is_superuser and admin.email == "root@example.org"
