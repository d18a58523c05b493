"""Identifiers too large for the database are invalid choices, not server errors."""

import pytest

from accompagnement.form_fields import ModelMultipleChoiceField
from accompagnement.models import Category
from tests.factories import CategoryFactory


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["9223372036854775808", str(10**30)])
def test_a_huge_identifier_is_an_invalid_choice(value):
    category = CategoryFactory()
    field = ModelMultipleChoiceField(queryset=Category.objects.all())
    assert list(field.clean([str(category.pk)])) == [category]
    with pytest.raises(Exception) as caught:
        field.clean([value])
    assert caught.type.__name__ == "ValidationError"
